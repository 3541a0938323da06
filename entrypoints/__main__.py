from synth_ai.cli.main import main

main()
