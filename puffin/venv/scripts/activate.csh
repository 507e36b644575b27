# Activate the puffin virtual environment __VIRTUAL_ENV_DISPLAY__
# for csh and tcsh: run `source bin/activate.csh`, and `deactivate` to leave.

# csh has no functions, so deactivate is an alias. Each step is a separate `test ... &&`
# command, because csh substitutes variables in a command before it runs any of it.
alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH; test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash; test "\!:*" != "nondestructive" && unalias deactivate'

deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__
setenv VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/bin:$PATH:q"

# PYTHONHOME would point the environment's interpreter at another standard library.
if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

# Only interactive shells have a prompt to change.
if (! $?VIRTUAL_ENV_DISABLE_PROMPT && $?prompt) then
    set _OLD_VIRTUAL_PROMPT="$prompt:q"
    set prompt = "($VIRTUAL_ENV_PROMPT:q) $prompt:q"
endif

rehash
