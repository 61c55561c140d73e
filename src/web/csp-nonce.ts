/**
 * The host serves the page with a Content-Security-Policy that admits only its own scripts and styles,
 * plus style elements carrying this response's nonce: Mantine writes its CSS variables into one.
 */
export function cspNonce(): string | undefined {
  const value = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
  return value && !value.startsWith('__') ? value : undefined;
}

declare global {
  // Read by react-style-singleton (Mantine's scroll lock) for the style element it adds.
  var __webpack_nonce__: string | undefined;
}

/** Hands the nonce to every library that adds style elements of its own. */
export function shareCspNonce(): void {
  const nonce = cspNonce();
  if (nonce) globalThis.__webpack_nonce__ = nonce;
}
