/** The server's name and version, as sent in `welcome` and shown by `warren --version`. */
export const VERSION = '0.1.0';
export const SERVER_NAME = `warren/${VERSION}`;
