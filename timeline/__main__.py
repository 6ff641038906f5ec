from timeline.cli import cli

cli()
