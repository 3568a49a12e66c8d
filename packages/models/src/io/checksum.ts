/** Checksums and joined bytes of weight data: shared by every format, free of model imports. */
import * as tf from '@tensorflow/tfjs-core';

/** SHA-256 of bytes as lowercase hex, through Web Crypto (browsers and Node 20 both have it as globalThis.crypto). */
export async function sha256(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The weight bytes as one ArrayBuffer (tfjs handlers may hand back a list of shards). */
export function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}
