"""revka's completion scripts for bash, zsh and fish (data: generated into completions/ by
scripts/gen_completions.py, printed by `revka completion SHELL`)."""

from __future__ import annotations

PROG = "revka"
COMPLETE_VAR = "_REVKA_COMPLETE"
GENERATED = "Generated from the revka app by scripts/gen_completions.py (`revka completion {shell}`)."

BASH_SCRIPT = r"""# bash completion for revka                                -*- shell-script -*-
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). Names with ':' work
# whatever COMP_WORDBREAKS holds; with no candidates bash completes file names (-o default).

_revka_completion() {
    local IFS=$'\n' line
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n $line ]] && COMPREPLY+=("$line")
    done < <(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD="$COMP_CWORD" \
                 COMP_WORDBREAKS="$COMP_WORDBREAKS" _REVKA_COMPLETE=complete_bash "$1" 2>/dev/null)
    # a provider prefix (custom:) or a folder-like name (custom/) is not finished yet
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[:/] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -o default -F _revka_completion revka
"""

ZSH_SCRIPT = r"""#compdef revka
# zsh completion for revka
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). With no
# candidates, zsh completes file names.

_revka() {
  local reply
  reply="$(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _REVKA_COMPLETE=complete_zsh \
           "${words[1]}" 2>/dev/null)"
  if [[ -n $reply ]]; then
    eval "$reply"
  else
    _files
  fi
}

# autoloaded from $fpath: complete now; sourced: register the function
if [[ $funcstack[1] == _revka ]]; then
  _revka "$@"
else
  compdef _revka revka
fi
"""

FISH_SCRIPT = r"""# fish completion for revka
# @GENERATED@
# Candidates come from revka itself (the _REVKA_COMPLETE protocol): commands and options from the
# installed version, model names from its on-disk catalog (never the network). With no
# candidates, fish completes file names.

function __revka_complete
    set -l cmd (commandline -opc)[1]
    set -l reply (env _REVKA_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args \
        _TYPER_COMPLETE_ARGS=(commandline -cp) $cmd 2>/dev/null | string match -v '')
    if test (count $reply) -gt 0
        printf '%s\n' $reply
    else
        __fish_complete_path (commandline -ct)
    end
end

complete -c revka -f -a '(__revka_complete)'
"""

_SCRIPTS = {"bash": BASH_SCRIPT, "zsh": ZSH_SCRIPT, "fish": FISH_SCRIPT}
FILE_NAMES = {"bash": "revka.bash", "zsh": "_revka", "fish": "revka.fish"}


def script(shell: str) -> str:
    return _SCRIPTS[shell].replace("@GENERATED@", GENERATED.format(shell=shell))
