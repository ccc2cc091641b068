/**
 * The bash and zsh completion scripts `ctrnet completion SHELL` prints. Both
 * ask the installed ctrnet itself (`ctrnet __complete WORD...`), so they
 * stay right when commands change; each candidate comes back as one line,
 * `VALUE<TAB>DESCRIPTION`.
 */

export type Shell = 'bash' | 'zsh';

const BASH = `# ctrnet completion for bash. Load it with:
#   source <(ctrnet completion bash)
# or install it: ctrnet completion bash > /etc/bash_completion.d/ctrnet
_ctrnet_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n' line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("\${line%%$'\\t'*}")
  done < <("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  # Nothing to offer for a command's own arguments: let bash complete file names.
  if [[ \${#COMPREPLY[@]} -eq 0 && $cur != -* ]]; then compopt -o default 2>/dev/null; fi
}
complete -F _ctrnet_complete ctrnet
`;

const ZSH = `#compdef ctrnet
# ctrnet completion for zsh. Load it with:
#   source <(ctrnet completion zsh)
# or install it as _ctrnet in a directory of $fpath.
_ctrnet() {
  local -a lines described
  local line value
  lines=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in $lines; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    if [[ $line == *$'\\t'* ]]; then described+=("\${value//:/\\\\:}:\${line#*$'\\t'}"); else described+=("\${value//:/\\\\:}"); fi
  done
  if (( \${#described} )); then _describe -t ctrnet 'ctrnet' described; else _files; fi
}
if [[ $funcstack[1] == _ctrnet ]]; then _ctrnet "$@"; else compdef _ctrnet ctrnet; fi
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH;
}
