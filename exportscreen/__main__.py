from exportscreen.cli import run

run()
