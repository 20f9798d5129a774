# fish completion for revka
# Generated from the revka app by scripts/gen_completions.py (`revka completion fish`).
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
