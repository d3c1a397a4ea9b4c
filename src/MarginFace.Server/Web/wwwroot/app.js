// The MarginFace web page: plain JavaScript over the /v1 API, no build step. The API key is kept in localStorage.
(() => {
  const $ = id => document.getElementById(id);
  const canvas = $('canvas'), ctx = canvas.getContext('2d');
  let photo = null;   // the last photo: { blob, image }
  let faces = [];     // identify's faces of that photo, in detector order

  const key = () => localStorage.getItem('marginface.key') || '';
  const gallery = () => $('gallery').value || 'default';
  $('key').value = key();

  function status(text, error) {
    $('status').textContent = text;
    $('status').className = error ? 'error' : '';
  }

  async function api(method, path, body, type) {
    const headers = { 'X-Api-Key': key() };
    if (type) headers['Content-Type'] = type;
    const response = await fetch(path, { method, headers, body });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(json && json.detail ? `${json.title}: ${json.detail}` : `HTTP ${response.status}`);
    return json;
  }

  async function loadGalleries() {
    try {
      const list = await api('GET', '/v1/galleries');
      const current = gallery();
      $('gallery').innerHTML = '';
      for (const g of list) {
        const option = document.createElement('option');
        option.textContent = g.name;
        $('gallery').appendChild(option);
      }
      $('gallery').value = list.some(g => g.name === current) ? current : 'default';
    } catch (e) { /* a recognise-only key cannot list galleries: keep 'default' */ }
  }

  async function loadPeople() {
    const list = $('people');
    list.innerHTML = '';
    try {
      const people = await api('GET', `/v1/galleries/${encodeURIComponent(gallery())}/people`);
      for (const p of people) {
        const item = document.createElement('li');
        item.innerHTML = `<span class="name"></span> (${p.embeddings} image${p.embeddings === 1 ? '' : 's'}) <button type="button">Remove</button>`;
        item.querySelector('.name').textContent = p.name;
        item.querySelector('button').onclick = async () => {
          await api('DELETE', `/v1/galleries/${encodeURIComponent(gallery())}/people/${encodeURIComponent(p.name)}`);
          loadPeople();
        };
        list.appendChild(item);
      }
      if (people.length === 0) list.innerHTML = '<li>nobody yet</li>';
    } catch (e) {
      list.innerHTML = '';
      const item = document.createElement('li');
      item.textContent = e.message;
      list.appendChild(item);
    }
  }

  function draw() {
    if (!photo) return;
    const image = photo.image;
    const scale = Math.min(1, 640 / image.width);
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 2;
    ctx.font = '14px system-ui, sans-serif';
    faces.forEach((face, i) => {
      const b = face.box, best = face.candidates[0];
      const label = `${i + 1}  ${best ? `${best.name}  ${best.similarity.toFixed(3)}` : '?'}`;
      ctx.strokeStyle = best ? '#0a0' : '#d80';
      ctx.strokeRect(b.x * scale, b.y * scale, b.width * scale, b.height * scale);
      const width = ctx.measureText(label).width + 6;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillRect(b.x * scale, Math.max(0, b.y * scale - 18), width, 18);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, b.x * scale + 3, Math.max(13, b.y * scale - 5));
    });
  }

  function listFaces() {
    const list = $('faces');
    list.innerHTML = '';
    faces.forEach((face, i) => {
      const best = face.candidates[0];
      const item = document.createElement('li');
      item.innerHTML = `<span class="match" id="match-${i}"></span> <input id="enrol-name-${i}" placeholder="name"> <button id="enrol-${i}" type="button">Enrol</button>`;
      item.querySelector('.match').textContent = best ? `${best.name} (${best.similarity.toFixed(3)})` : 'unknown';
      item.querySelector('button').onclick = () => enrol(i, item.querySelector('input').value);
      list.appendChild(item);
    });
    if (faces.length === 0) list.innerHTML = '<li>no face found</li>';
  }

  async function identify(blob) {
    const url = URL.createObjectURL(blob);
    const image = new Image();
    await new Promise((resolve, reject) => { image.onload = resolve; image.onerror = () => reject(new Error('not an image the browser can show')); image.src = url; });
    photo = { blob, image };
    faces = [];
    draw();
    status('identifying…');
    try {
      const answer = await api('POST', `/v1/galleries/${encodeURIComponent(gallery())}/identify`, blob, blob.type || 'application/octet-stream');
      faces = answer.faces;
      status(`${faces.length} face${faces.length === 1 ? '' : 's'}`);
    } catch (e) {
      status(e.message, true);
    }
    draw();
    listFaces();
  }

  async function enrol(index, name) {
    if (!photo || !name.trim()) { status('give a name to enrol the face under', true); return; }
    const form = new FormData();
    form.append('photo', photo.blob, 'photo');
    form.append('face', String(index));
    try {
      const result = await api('POST', `/v1/galleries/${encodeURIComponent(gallery())}/people/${encodeURIComponent(name.trim())}`, form);
      status(`enrolled ${result.name}${result.duplicates ? ' (this photo was already enrolled)' : ''}`);
      loadPeople();
    } catch (e) {
      status(e.message, true);
    }
  }

  $('save-key').onclick = () => {
    localStorage.setItem('marginface.key', $('key').value.trim());
    status('key saved in this browser');
    loadGalleries().then(loadPeople);
  };
  $('gallery').onchange = loadPeople;
  $('refresh').onclick = loadPeople;
  $('photo').onchange = e => { if (e.target.files[0]) identify(e.target.files[0]); };
  const drop = $('drop');
  drop.ondragover = e => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = e => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) identify(e.dataTransfer.files[0]);
  };

  // The webcam, where the browser allows it (a secure context: https or localhost).
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) $('webcam').hidden = true;
  $('webcam').onclick = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      $('video').srcObject = stream;
      $('video').hidden = false;
      $('snap').hidden = false;
      await $('video').play();
    } catch (e) {
      status(`webcam: ${e.message}`, true);
    }
  };
  $('snap').onclick = () => {
    const video = $('video'), still = document.createElement('canvas');
    still.width = video.videoWidth;
    still.height = video.videoHeight;
    still.getContext('2d').drawImage(video, 0, 0);
    still.toBlob(blob => identify(blob), 'image/jpeg', 0.92);
  };

  if (key()) loadGalleries().then(loadPeople);
})();
