/**
 * A literal input a construct refuses, naming the prop it was given in, so that whoever set the prop
 * (the app, from a setting) can say where the user set it: the app turns it into a ConfigError naming
 * the setting, with exit code 2 and no stack trace. Constructs throw it for a value the user chose,
 * never for a fault of their own (those stay plain errors, whose stack trace a bug report needs).
 */
export class InputError extends Error {
  constructor(
    /** The construct prop the refused value was given in (`clusters`, `rolePath`, ...). */
    readonly prop: string,
    message: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** The prop a check's label names: `clusters[3]` and `clusters[]` are `clusters`. */
export const propOf = (label: string): string => label.replace(/\[.*$/, "").replace(/ .*$/, "");
