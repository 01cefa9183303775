// A small live line chart on a <canvas>: a fixed window of the latest values, redrawn on push.
// Sized from the canvas's CSS box and the device pixel ratio, so it stays sharp and never overflows.
export class Sparkline {
  /** @param {HTMLCanvasElement} canvas @param {{points?: number, label?: string}} options */
  constructor(canvas, { points = 60 } = {}) {
    this.canvas = canvas;
    this.points = points;
    this.values = [];
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  push(value) {
    this.values.push(value);
    if (this.values.length > this.points) this.values.shift();
    this.draw();
  }

  clear() {
    this.values = [];
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.dataset.points = String(this.values.length);
    if (!width || !height) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    const style = getComputedStyle(canvas);
    const accent = style.getPropertyValue('--accent').trim() || '#3d5afe';
    const line = style.getPropertyValue('--line').trim() || '#dde1e8';
    const muted = style.getPropertyValue('--muted').trim() || '#5d6677';
    const top = 14;
    const max = Math.max(1, ...this.values) * 1.15;
    // grid: baseline and half line, with the scale's top value
    g.strokeStyle = line;
    g.lineWidth = 1;
    for (const f of [0, 0.5]) {
      const y = Math.round(top + (height - top - 1) * f) + 0.5;
      g.beginPath();
      g.moveTo(0, y);
      g.lineTo(width, y);
      g.stroke();
    }
    g.beginPath();
    g.moveTo(0, height - 0.5);
    g.lineTo(width, height - 0.5);
    g.stroke();
    g.fillStyle = muted;
    g.font = '10px system-ui, sans-serif';
    g.fillText(formatNumber(max), 2, 10);
    if (this.values.length < 2) return;
    const step = width / (this.points - 1);
    const x0 = width - step * (this.values.length - 1);
    const y = (v) => top + (height - top - 2) * (1 - v / max);
    g.beginPath();
    this.values.forEach((v, i) => (i ? g.lineTo(x0 + i * step, y(v)) : g.moveTo(x0, y(v))));
    g.strokeStyle = accent;
    g.lineWidth = 2;
    g.lineJoin = 'round';
    g.stroke();
    g.lineTo(width, height);
    g.lineTo(x0, height);
    g.closePath();
    g.globalAlpha = 0.12;
    g.fillStyle = accent;
    g.fill();
  }
}

export function formatNumber(n) {
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return n >= 10 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}
