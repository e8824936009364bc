// Bundle-time stand-in for `https-proxy-agent`: axios builds one only when its own `proxy` option is set, and
// the client sets `proxy: false` so that VS Code's proxy support applies instead. The class must exist for
// axios's `instanceof` check; constructing it would mean that rule was broken, so it says so.
class HttpsProxyAgent {
  constructor() {
    throw new Error('Multiview leaves proxying to VS Code (axios proxy: false); axios proxy tunnelling is not bundled.');
  }
}
export = HttpsProxyAgent;
