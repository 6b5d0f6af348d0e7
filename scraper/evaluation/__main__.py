"""``python -m scraper.evaluation`` is ``scraper eval``."""

from .cli import eval_command

eval_command(prog_name="scraper eval")
