from meshlint.cli import program

program()
