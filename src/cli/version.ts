// The plusmix version printed by `--version`, in the .out banner and in JSON.
export const VERSION = '0.1.0';
