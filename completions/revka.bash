# bash completion for revka                                -*- shell-script -*-
# Generated from the revka app by scripts/gen_completions.py (`revka completion bash`).
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
