// A reason the wrapper refuses to go on, with the exit status to use. Its message is one line
// that names the file and says what to do.

export class WrapperError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
