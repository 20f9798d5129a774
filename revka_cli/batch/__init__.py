"""`revka batch`: many prompts through the chat core, concurrently, resumably.

inputs.py reads the input (JSONL in the simple or the OpenAI Batch request form, or plain lines),
idindex.py keeps custom_ids in 8 bytes each, journal.py owns the output file (resume, torn lines,
appends), targets.py spreads items over the endpoints, run.py is the engine. No typer or rich
here: the command's rendering is revka_cli/cli/commands/batch.py.
"""
