// Makes faceapi_analysis.json: face-api's own FaceLandmark68Net, FaceLandmark68TinyNet, AgeGenderNet and FaceExpressionNet
// (its bundled tfjs, cpu backend) on fixed inputs. FaceApiAnalysisTests compares MarginFace's ONNX port with it.
//   node faceapi_analysis.mjs PACKAGE_DIR [IMAGE.ppm X Y W H] > faceapi_analysis.json
// PACKAGE_DIR is the unpacked @vladmandic/face-api@1.7.15 (npm pack, tar xzf). Cases:
//   synthetic112: a 112x112 RGB tensor, pixel (y, x, c) = (7y + 13x + 50c) mod 256, fed to the nets as it is (no crop/pad/resize);
//   synthetic-wide, synthetic-clipped: boxes of a 160x120 synthetic image, pixel (y, x, c) = (3y + 5x + 40c + xy) mod 256, cut by
//     face-api's extractFaceTensors (clip at the borders, floor) and so padded to a square and resized as face-api does;
//   real: a binary PPM (P6, 8 bit) and a face box, the same way (FaceApiAnalysisTests writes an LFW photo as PPM, decoded by
//     MarginFace, so that both sides see the same pixels; MARGINFACE_FACEAPI_FIXTURE=PATH makes that test save its output).
// Per case: raw network outputs (landmarks: 136 values relative to the padded square, before postProcess; age; gender softmax
// [male, female]; expression softmax) and detectLandmarks' points in the image's pixels (shifted by the crop's corner).
import fs from 'node:fs';
import path from 'node:path';
const [packageDir, imagePath, ...box] = process.argv.slice(2);
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
const landmark68 = load(new faceapi.FaceLandmark68Net(), 'face_landmark_68_model');
const landmark68Tiny = load(new faceapi.FaceLandmark68TinyNet(), 'face_landmark_68_tiny_model');
const ageGender = load(new faceapi.AgeGenderNet(), 'age_gender_model');
const expression = load(new faceapi.FaceExpressionNet(), 'face_expression_model');

const round = (values) => Array.from(values, (v) => Number(v.toPrecision(9)));

async function landmarks(net, face, shift) {
  const input = await faceapi.toNetInput(face);
  const raw = tf.tidy(() => net.runNet(input).dataSync());
  const result = await net.detectLandmarks(face);
  return { raw: round(raw), points: result.positions.map((p) => [p.x + shift.x, p.y + shift.y]).flat().map((v) => Number(v.toPrecision(9))) };
}

async function analyse(name, face, extra, shift) {
  const input = await faceapi.toNetInput(face);
  const { age, gender } = ageGender.forwardInput(input);
  const expressions = expression.forwardInput(await faceapi.toNetInput(face));
  const prediction = await ageGender.predictAgeAndGender(face);
  const result = {
    name,
    ...extra,
    landmark68: await landmarks(landmark68, face, shift),
    landmark68Tiny: await landmarks(landmark68Tiny, face, shift),
    age: age.dataSync()[0],
    gender: round(gender.dataSync()),
    genderLabel: prediction.gender,
    genderProbability: prediction.genderProbability,
    expressions: round(expressions.dataSync()),
  };
  age.dispose(); gender.dispose(); expressions.dispose();
  return result;
}

async function cropCases(name, image, boxes) {
  const [height, width] = image.shape;
  const results = [];
  for (const [i, [x, y, w, h]] of boxes.entries()) {
    const crop = new faceapi.Box({ x, y, width: w, height: h }).clipAtImageBorders(width, height);
    const [face] = await faceapi.extractFaceTensors(image, [new faceapi.Rect(x, y, w, h)]);
    results.push(await analyse(boxes.length > 1 ? `${name}-${i}` : name,
      face, { width, height, box: [x, y, w, h], crop: [crop.x, crop.y, crop.width, crop.height] }, { x: crop.x, y: crop.y }));
    face.dispose();
  }
  return results;
}

function synthetic(width, height, pixel) {
  const values = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++)
    values[(y * width + x) * 3 + c] = pixel(y, x, c);
  return tf.tensor3d(values, [height, width, 3], 'int32');
}

function readPpm(file) {
  const bytes = fs.readFileSync(file);
  const header = bytes.subarray(0, 64).toString('latin1').match(/^P6\s+(\d+)\s+(\d+)\s+255\s/);
  if (!header) throw new Error(`${file}: not a binary 8-bit PPM`);
  const [width, height] = [Number(header[1]), Number(header[2])];
  return tf.tensor3d(Int32Array.from(bytes.subarray(header[0].length, header[0].length + width * height * 3)), [height, width, 3], 'int32');
}

const cases = [];
const square = synthetic(112, 112, (y, x, c) => (y * 7 + x * 13 + c * 50) % 256);
cases.push(await analyse('synthetic112', square, { width: 112, height: 112, box: [0, 0, 112, 112], crop: [0, 0, 112, 112] }, { x: 0, y: 0 }));
const scene = synthetic(160, 120, (y, x, c) => (3 * y + 5 * x + 40 * c + x * y) % 256);
cases.push(...await cropCases('synthetic-wide', scene, [[13.4, 9.7, 101.3, 87.9]]));
cases.push(...await cropCases('synthetic-clipped', scene, [[-10.5, 20.2, 90.6, 120.3]]));
if (imagePath) cases.push(...await cropCases('real', readPpm(imagePath), [box.map(Number)]));
console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version_core, faceapi: faceapi.version, cases }));
