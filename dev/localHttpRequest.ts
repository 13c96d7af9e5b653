import azureFunctions, {
  type HttpRequest,
  type HttpRequestParams,
  type HttpRequestUser,
} from "@azure/functions";

/**
 * The local host's `HttpRequest`: the public surface of the `@azure/functions` class, built
 * straight from Node's request. The library's class wraps a WHATWG `Request`, and on Node 20
 * constructing one (streams, abort signal) costs more than the whole event pipeline; here the
 * body stream exists only if a handler reads `body`, and `user`, `blob`, `formData` and `clone`
 * defer to a library instance made on first use, so their semantics are the library's own.
 */
export class LocalHttpRequest implements HttpRequest {
  readonly url: string;
  #location: URL;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;
  #library: HttpRequest | undefined;

  constructor(
    readonly method: string,
    location: URL,
    readonly headers: Headers,
    readonly params: HttpRequestParams,
    private readonly bytes: Buffer,
  ) {
    this.#location = location;
    this.url = location.href;
  }

  get query(): URLSearchParams {
    return this.#location.searchParams;
  }

  get user(): HttpRequestUser | null {
    return this.library().user;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.bytes.length === 0) return null;
    // Reading marks the body used, as with the library's request; merely looking does not.
    this.#stream ??= new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          this.#used = true;
          controller.enqueue(new Uint8Array(this.bytes));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  readonly arrayBuffer = async (): Promise<ArrayBuffer> => {
    this.consume();
    return await Promise.resolve(new Uint8Array(this.bytes).buffer);
  };

  readonly text = async (): Promise<string> => {
    this.consume();
    return await Promise.resolve(this.bytes.toString("utf8"));
  };

  readonly json = async (): Promise<unknown> => JSON.parse(await this.text()) as unknown;

  readonly blob = async (): Promise<Blob> => await this.library().blob();

  readonly formData = async (): Promise<FormData> => await this.library().formData();

  readonly clone = (): HttpRequest => this.library().clone();

  private consume(): void {
    if (this.#used) throw new TypeError("Body is unusable: body has already been read");
    this.#used = true;
  }

  private library(): HttpRequest {
    this.#library ??= new azureFunctions.HttpRequest({
      method: this.method,
      url: this.url,
      headers: Object.fromEntries(this.headers),
      params: this.params,
      ...(this.bytes.length > 0 ? { body: { bytes: this.bytes } } : {}),
    });
    return this.#library;
  }
}
