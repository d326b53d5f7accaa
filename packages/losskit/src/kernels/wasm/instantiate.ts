/**
 * Synchronous instantiation of an embedded WebAssembly module (base64 text), shared by the
 * kernel loaders. Null where WebAssembly is missing, where the module does not validate (no
 * SIMD), or where compilation is refused (a content security policy without 'wasm-unsafe-eval').
 * Modules stay under the 4 KB that browsers compile synchronously on the main thread.
 */
export function instantiateEmbedded<Exports>(base64: string): Exports | null {
  if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    return null;
  }
}
