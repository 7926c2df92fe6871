/**
 * warrenctl completion bash|zsh: a completion script made from the command tree itself, so it
 * always knows every command and flag. Install: `source <(warrenctl completion bash)`, or for
 * zsh `warrenctl completion zsh > "${fpath[1]}/_warrenctl"`.
 */
import { Command, Argument } from 'commander';
import type { Io } from '../output.js';

interface Node {
  path: string;
  words: string[];
}

/** Every command path (`''`, `queues`, `queues list`, …) with what may follow it: subcommands and flags. */
function tree(root: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (command: Command, path: string[]) => {
    const flags = [...command.options, ...(path.length === 0 ? [] : root.options)].flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
    nodes.push({ path: path.join(' '), words: [...command.commands.map((c) => c.name()), ...flags, '--help'] });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return nodes;
}

function bash(root: Command): string {
  const cases = tree(root)
    .map((n) => `    "${n.path}") words="${n.words.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for warrenctl: source <(warrenctl completion bash)
_warrenctl() {
  local cur path="" i w words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${tree(root)
  .filter((n) => n.path !== '')
  .map((n) => `      "${n.path}") path="${n.path}" ;;`)
  .join('\n')}
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _warrenctl warrenctl
`;
}

function zsh(root: Command): string {
  return `#compdef warrenctl
# zsh completion for warrenctl: warrenctl completion zsh > "\${fpath[1]}/_warrenctl"
autoload -U bashcompinit && bashcompinit
${bash(root)}`;
}

export function completionCommand(io: Io, root: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script (bash or zsh)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: string) => io.out(shell === 'bash' ? bash(root()) : zsh(root())));
}
