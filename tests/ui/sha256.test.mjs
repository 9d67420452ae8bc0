// Unit tests of ui/js/sha256.js: the fallback used where crypto.subtle is missing must agree
// with the FIPS 180-4 test vectors and with node's own SHA-256 at every padding boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex, fileSha256 } from '../../ui/js/sha256.js';

const enc = (s) => new TextEncoder().encode(s);
const nodeHash = (b) => createHash('sha256').update(b).digest('hex');

test('FIPS 180-4 vectors', () => {
  assert.equal(sha256Hex(enc('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex(enc('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('agrees with node at lengths around the 64-byte block and its padding', () => {
  for (const n of [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 70000]) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + n) & 0xff;
    assert.equal(sha256Hex(b), nodeHash(b), `length ${n}`);
    assert.equal(sha256Hex(b.buffer), nodeHash(b), `length ${n} as an ArrayBuffer`);
  }
});

test('Japanese text is hashed as its UTF-8 bytes', () => {
  const s = '身代金要求文書_月見坂.txt の内容';
  assert.equal(sha256Hex(enc(s)), nodeHash(Buffer.from(s, 'utf8')));
});

test('fileSha256 of a Blob matches the fallback', async () => {
  const b = new Blob([enc('ランサムノート READ_ME.txt\n')]);
  const want = nodeHash(Buffer.from('ランサムノート READ_ME.txt\n', 'utf8'));
  assert.equal(await fileSha256(b), want);
  assert.equal(sha256Hex(new Uint8Array(await b.arrayBuffer())), want);
});
