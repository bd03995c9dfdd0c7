"""Register intake, rules, notices and reports for property-management service centers.

The library is the product; ``toolkit.cli`` is a thin layer over it:

* :func:`toolkit.pipeline.open_context` / :func:`toolkit.pipeline.process_paths`
* :func:`toolkit.watch.watch`
* :func:`toolkit.setup_workspace.init_workspace`
* :func:`toolkit.registers.load_registers`
"""

__version__ = "0.1.0"
