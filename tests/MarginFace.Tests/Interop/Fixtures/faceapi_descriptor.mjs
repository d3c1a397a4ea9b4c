// Makes faceapi_descriptor.json: face-api's own FaceRecognitionNet (its bundled tfjs, cpu backend) run on a synthetic
// 150x150 RGB input, pixel (y, x, c) = (7y + 13x + 50c) mod 256. FaceApiModelTests compares MarginFace's port with it.
//   npm pack @vladmandic/face-api@1.7.15 && tar xzf vladmandic-face-api-1.7.15.tgz
//   node faceapi_descriptor.mjs "$PWD/package" > faceapi_descriptor.json
import fs from 'node:fs';
import path from 'node:path';
const packageDir = process.argv[2];
// face-api's browser bundle stubs Node's util; present a minimal browser so that tfjs takes its browser platform.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({}) };
const faceapi = await import(path.join(packageDir, 'dist/face-api.esm.js'));
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();
const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'model/face_recognition_model-weights_manifest.json')));
const bin = fs.readFileSync(path.join(packageDir, 'model/face_recognition_model.bin'));
const weightMap = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), manifest[0].weights);
const net = new faceapi.FaceRecognitionNet();
net.loadFromWeightMap(weightMap);
const size = 150;
const pixels = new Float32Array(size * size * 3);
for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++)
  pixels[(y * size + x) * 3 + c] = (y * 7 + x * 13 + c * 50) % 256;
const input = tf.tensor3d(pixels, [size, size, 3]);
const descriptor = await net.computeFaceDescriptor(input);
console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version_core, descriptor: Array.from(descriptor) }));
