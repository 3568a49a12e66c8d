/**
 * The one error class brickml throws for mistakes a user can fix: a bad config, a tensor of the wrong
 * shape, a missing backend package. `where` names the brick, model or function that refused.
 */
export class BrickError extends Error {
  override readonly name = 'BrickError';
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(message);
  }
}
