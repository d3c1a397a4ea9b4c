// Makes faceapi_detect.json: face-api's own SSD MobileNet V1 and tiny face detector (its bundled tfjs, cpu backend, default
// options: minConfidence 0.5 / maxResults 100; inputSize 416 / scoreThreshold 0.5) run on binary PPM (P6) images, which
// FaceApiDetectorTests writes from the decoded photos so that both sides see the very same pixels.
//   npm pack @vladmandic/face-api@1.7.15 && tar xzf vladmandic-face-api-1.7.15.tgz
//   node faceapi_detect.mjs "$PWD/package" a.ppm b.ppm ... > faceapi_detect.json
import fs from 'node:fs';
import path from 'node:path';
const [packageDir, ...images] = process.argv.slice(2);
// face-api's browser bundle stubs Node's util; present a minimal browser so that tfjs takes its browser platform.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({}) };
const faceapi = await import(path.join(packageDir, 'dist/face-api.esm.js'));
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();
function load(net, stem) {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, `model/${stem}-weights_manifest.json`)));
  const bin = fs.readFileSync(path.join(packageDir, `model/${stem}.bin`));
  net.loadFromWeightMap(tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), manifest[0].weights));
  return net;
}
const ssd = load(new faceapi.SsdMobilenetv1(), 'ssd_mobilenetv1_model');
const tiny = load(new faceapi.TinyFaceDetector(), 'tiny_face_detector_model');
// P6 with no comments: "P6\n<width> <height>\n255\n" then RGB bytes.
function readPpm(file) {
  const bytes = fs.readFileSync(file);
  let at = 0;
  const fields = [];
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[at]))) at++;
    let start = at;
    while (!/\s/.test(String.fromCharCode(bytes[at]))) at++;
    fields.push(bytes.subarray(start, at).toString());
  }
  at++;
  const [magic, width, height] = [fields[0], Number(fields[1]), Number(fields[2])];
  if (magic !== 'P6') throw new Error(`${file}: not a binary PPM`);
  return { width, height, pixels: Int32Array.from(bytes.subarray(at, at + width * height * 3)) };
}
const round = (v) => Math.round(v * 1e4) / 1e4;
const boxes = (detections) => detections.map((d) => ({ x: round(d.box.x), y: round(d.box.y), width: round(d.box.width), height: round(d.box.height), score: round(d.score) }));
const results = [];
for (const file of images) {
  const { width, height, pixels } = readPpm(file);
  const input = tf.tensor3d(pixels, [height, width, 3], 'int32');
  const ssdFaces = await ssd.locateFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 }));
  const tinyFaces = await tiny.locateFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
  input.dispose();
  results.push({ image: path.basename(file), width, height, ssd: boxes(ssdFaces), tiny: boxes(tinyFaces) });
}
console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version_core, images: results }, null, 1));
