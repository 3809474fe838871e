# bash completion for `adapt` (installed to share/bash-completion/completions/adapt; to try it from a
# checkout: source apps/adapt/completion/adapt.bash). Commands and options are listed here and checked
# against `adapt COMMAND --help` by tests/apps/test_completion.cpp; plugin names come from
# `adapt --json plugins list`, which reads the plugin cache without opening a plugin.

_adapt_plugins() {
  "${COMP_WORDS[0]}" --json plugins list 2>/dev/null | sed -n 's/^ *"name": "\([^"]*\)".*/\1/p' | sort -u
}

_adapt() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local global="--threads --plugin-path --json --allow-insecure-plugins --help --version"
  local commands="plugins demo train inspect sanity evaluate drift report show-batch predict explain embed serve"
  local command="" subcommand="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --threads | --plugin-path | --out | --nproc | --port | --host | --shadow | --canary | --canary-pct | \
        --max-batch | --max-delay-ms | --max-queue | --max-body-bytes | --max-inputs | --timeout-ms | \
        --http-threads | --shadow-log | --window | --max-epochs | --slices) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $command ]]; then
          command=${COMP_WORDS[i]}
        elif [[ $command == plugins && -z $subcommand ]]; then
          subcommand=${COMP_WORDS[i]}
        fi
        ;;
    esac
  done

  case $prev in
    --threads | --nproc | --port | --canary-pct | --max-batch | --max-delay-ms | --max-queue | --max-body-bytes | \
      --max-inputs | --timeout-ms | --http-threads | --window | --host | --max-epochs | --slices)
      return ;;  # a number, an address or column names: nothing to offer
    --plugin-path)
      COMPREPLY=($(compgen -d -- "$cur"))
      return ;;
    --out | --shadow-log)
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    --shadow | --canary)
      COMPREPLY=($(compgen -f -X '!*.adapt' -- "$cur") $(compgen -d -- "$cur"))
      return ;;
  esac

  local options=""
  case $command in
    "")
      COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
      return ;;
    plugins)
      if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W "list info scan --help" -- "$cur"))
      elif [[ $subcommand == info && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "core $(_adapt_plugins)" -- "$cur"))
      elif [[ $subcommand == scan ]]; then
        COMPREPLY=($(compgen -W "--force --help" -- "$cur"))
      fi
      return ;;
    demo)
      options="--out"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -W "all $(_adapt_plugins)" -- "$cur")) ;;
    train)
      options="--out --nproc --resume --resume-or-start --force --final --dry-run"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
    inspect)
      options="--out --no-label-issues"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
    sanity)
      options="--max-epochs"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
    evaluate)
      options="--out --slices"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
    drift)
      options="--out --seed"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
    report)
      [[ $cur != -* ]] && COMPREPLY=($(compgen -d -- "$cur")) ;;
    predict)
      options="--out"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
    show-batch)
      options="--items --out"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
    explain)
      options="--html --top"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
    embed)
      options="--out"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
    serve)
      options="--shadow --canary --canary-pct --port --host --max-batch --max-delay-ms --merge-requests --max-queue
               --max-body-bytes --max-inputs --timeout-ms --http-threads --shadow-log --window"
      [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.adapt' -- "$cur") $(compgen -d -- "$cur")) ;;
  esac
  [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$options $global" -- "$cur"))
}

complete -o filenames -F _adapt adapt
