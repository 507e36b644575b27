# Activate the puffin virtual environment __VIRTUAL_ENV_DISPLAY__
# for fish: run `source bin/activate.fish`, and `deactivate` to leave.

# Put back what activation changed. With the argument "nondestructive" the function
# stays defined; activation uses that to leave any environment that is active now.
function deactivate --description "Leave the virtual environment"
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        functions -e fish_prompt
        if functions -q _puffin_saved_fish_prompt
            functions -c _puffin_saved_fish_prompt fish_prompt
            functions -e _puffin_saved_fish_prompt
        end
        functions -e _puffin_return
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

deactivate nondestructive

set -gx VIRTUAL_ENV __VIRTUAL_ENV__
set -gx VIRTUAL_ENV_PROMPT __VIRTUAL_ENV_PROMPT__

set -g _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH

# PYTHONHOME would point the environment's interpreter at another standard library.
if set -q PYTHONHOME
    set -g _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    # Wrap the current prompt: print the environment's name, then run the old prompt
    # with the last command's status restored (prompts often show it).
    if functions -q fish_prompt
        functions -c fish_prompt _puffin_saved_fish_prompt
    end
    function _puffin_return
        return $argv[1]
    end
    function fish_prompt
        set -l last_status $status
        printf "(%s) " $VIRTUAL_ENV_PROMPT
        if functions -q _puffin_saved_fish_prompt
            _puffin_return $last_status
            _puffin_saved_fish_prompt
        end
    end
    set -g _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
