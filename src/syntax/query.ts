// Looking things up in the AST: a command by name, an option of a command (the last one wins, as in
// Mplus when an option is repeated). Every stage uses these instead of walking `ast.commands` itself.

import type { InputFile, OptionNode, OptionsCommand } from './ast.js';

export function findCommand(ast: InputFile, name: OptionsCommand['name']): OptionsCommand | undefined {
  for (const c of ast.commands) if (c.kind === 'Options' && c.name === name) return c;
  return undefined;
}

export function findOption(cmd: OptionsCommand | undefined, name: string): OptionNode | undefined {
  if (!cmd) return undefined;
  let found: OptionNode | undefined;
  for (const o of cmd.options) if (o.name === name) found = o;
  return found;
}
