"""What commands do, below the command line: each module one command's work.

``puffin/cli/commands/`` declares arguments; these modules run the command with a
:class:`~puffin.context.Context` and return an exit status.
"""
