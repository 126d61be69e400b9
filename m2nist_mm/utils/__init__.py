from .cli import add_runner_args, load_config
from .dist import setup_cpu_distributed

__all__ = ['add_runner_args', 'load_config', 'setup_cpu_distributed']
