//! Just enough drawing for the example's two plots: an RGB canvas with lines, discs, a 3×5
//! pixel font for labels, and PNG output through the `png` crate. Drawing by hand keeps the
//! example to one small dev-dependency.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

pub type Rgb = [u8; 3];

pub const WHITE: Rgb = [255, 255, 255];
pub const BLACK: Rgb = [0, 0, 0];
pub const GRID: Rgb = [225, 225, 225];
pub const AXIS: Rgb = [90, 90, 90];
/// One colour per class (matplotlib's first three).
pub const CLASSES: [Rgb; 3] = [[31, 119, 180], [255, 127, 14], [44, 160, 44]];

/// `c` mixed with white, `t` of the way (0 = `c`, 1 = white).
pub fn pale(c: Rgb, t: f64) -> Rgb {
    c.map(|v| (v as f64 + (255.0 - v as f64) * t).round() as u8)
}

pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pixels: Vec<Rgb>,
}

impl Canvas {
    pub fn new(width: usize, height: usize, background: Rgb) -> Canvas {
        Canvas { width, height, pixels: vec![background; width * height] }
    }

    pub fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if (0..self.width as i64).contains(&x) && (0..self.height as i64).contains(&y) {
            self.pixels[y as usize * self.width + x as usize] = c;
        }
    }

    pub fn disc(&mut self, cx: f64, cy: f64, r: f64, c: Rgb) {
        let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
        let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
        for y in y0..=y1 {
            for x in x0..=x1 {
                if (x as f64 - cx).hypot(y as f64 - cy) <= r {
                    self.set(x, y, c);
                }
            }
        }
    }

    /// A line of the given width, drawn as discs along it.
    pub fn line(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), width: f64, c: Rgb) {
        let steps = ((x1 - x0).hypot(y1 - y0) * 4.0).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            self.disc(x0 + t * (x1 - x0), y0 + t * (y1 - y0), width / 2.0, c);
        }
    }

    /// `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide.
    pub fn text(&mut self, x: i64, y: i64, text: &str, scale: i64, c: Rgb) {
        for (i, ch) in text.chars().enumerate() {
            let rows = glyph(ch);
            for (r, bits) in rows.iter().enumerate() {
                for col in 0..3 {
                    if bits & (0b100 >> col) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.set(x + (i as i64 * 4 + col) * scale + dx, y + r as i64 * scale + dy, c);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The width `text` takes at `scale`.
    pub fn text_width(text: &str, scale: i64) -> i64 {
        (text.chars().count() as i64 * 4 - 1) * scale
    }

    pub fn save(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let mut encoder = png::Encoder::new(BufWriter::new(File::create(path)?), self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(self.pixels.as_flattened())?;
        writer.finish()?;
        Ok(())
    }
}

/// A 3×5 glyph, one row per entry, the leftmost pixel in the high bit. Only the characters
/// the plots use; anything else is blank.
fn glyph(c: char) -> [u8; 5] {
    match c.to_ascii_uppercase() {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b001, 0b001, 0b001],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        '-' => [0b000, 0b000, 0b111, 0b000, 0b000],
        '%' => [0b101, 0b001, 0b010, 0b100, 0b101],
        'A' => [0b010, 0b101, 0b111, 0b101, 0b101],
        'C' => [0b011, 0b100, 0b100, 0b100, 0b011],
        'E' => [0b111, 0b100, 0b110, 0b100, 0b111],
        'H' => [0b101, 0b101, 0b111, 0b101, 0b101],
        'L' => [0b100, 0b100, 0b100, 0b100, 0b111],
        'N' => [0b110, 0b101, 0b101, 0b101, 0b101],
        'O' => [0b010, 0b101, 0b101, 0b101, 0b010],
        'P' => [0b110, 0b101, 0b110, 0b100, 0b100],
        'R' => [0b110, 0b101, 0b110, 0b101, 0b101],
        'S' => [0b011, 0b100, 0b010, 0b001, 0b110],
        'T' => [0b111, 0b010, 0b010, 0b010, 0b010],
        'U' => [0b101, 0b101, 0b101, 0b101, 0b111],
        'Y' => [0b101, 0b101, 0b010, 0b010, 0b010],
        _ => [0; 5],
    }
}

/// `losses` against epoch on a log scale, with decade grid lines.
pub fn loss_curve(losses: &[f64], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let (width, height) = (720, 440);
    let (left, right, top, bottom) = (70.0, 20.0, 30.0, 50.0);
    let mut canvas = Canvas::new(width, height, WHITE);
    let (plot_w, plot_h) = (width as f64 - left - right, height as f64 - top - bottom);
    let lo = losses.iter().copied().fold(f64::INFINITY, f64::min).log10().floor();
    let hi = losses.iter().copied().fold(f64::NEG_INFINITY, f64::max).log10().ceil().max(lo + 1.0);
    let px = |epoch: f64| left + plot_w * epoch / losses.len().max(2) as f64;
    let py = |loss: f64| top + plot_h * (hi - loss.log10()) / (hi - lo);

    // Decades and their 2× and 5× lines; epoch ticks at a round step.
    for decade in lo as i32..hi as i32 {
        for m in [1.0, 2.0, 5.0] {
            let y = py(m * 10f64.powi(decade));
            canvas.line((left, y), (left + plot_w, y), 1.0, if m == 1.0 { GRID } else { pale(GRID, 0.5) });
        }
    }
    let step = nice_step(losses.len() as f64 / 5.0);
    let mut epoch = 0.0;
    while epoch <= losses.len() as f64 {
        let x = px(epoch);
        canvas.line((x, top), (x, top + plot_h), 1.0, GRID);
        let label = format!("{epoch}");
        canvas.text(x as i64 - Canvas::text_width(&label, 2) / 2, (top + plot_h) as i64 + 8, &label, 2, AXIS);
        epoch += step;
    }
    for decade in lo as i32..=hi as i32 {
        let label = if decade >= 0 {
            format!("{}", 10f64.powi(decade))
        } else {
            format!("{:.*}", -decade as usize, 10f64.powi(decade))
        };
        let y = py(10f64.powi(decade));
        canvas.text(left as i64 - 8 - Canvas::text_width(&label, 2), y as i64 - 5, &label, 2, AXIS);
    }
    canvas.line((left, top), (left, top + plot_h), 1.5, AXIS);
    canvas.line((left, top + plot_h), (left + plot_w, top + plot_h), 1.5, AXIS);
    canvas.text(8, 8, "LOSS", 2, BLACK);
    canvas.text(width as i64 - right as i64 - Canvas::text_width("EPOCH", 2), height as i64 - 16, "EPOCH", 2, BLACK);

    let points: Vec<(f64, f64)> = losses.iter().enumerate().map(|(i, &l)| (px(i as f64 + 1.0), py(l))).collect();
    for pair in points.windows(2) {
        canvas.line(pair[0], pair[1], 2.0, CLASSES[0]);
    }
    canvas.save(path)
}

/// 1, 2 or 5 times a power of ten, at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let base = 10f64.powf(rough.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * base).find(|&s| s >= rough).unwrap_or(10.0 * base)
}

/// The classifier's decision regions over the square [−extent, extent]², pale, with the
/// training points on top. `classify` labels a batch of points (row-major pairs).
pub fn decision_boundary(
    classify: impl Fn(&[f64]) -> Vec<usize>,
    points: &[f64],
    labels: &[usize],
    extent: f64,
    title: &str,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let size = 560;
    let mut canvas = Canvas::new(size, size, WHITE);
    let to_world = |p: usize| -extent + 2.0 * extent * (p as f64 + 0.5) / size as f64;
    let to_pixel = |v: f64| (v + extent) / (2.0 * extent) * size as f64;
    // One row of pixels per batch: the whole image at once would hold every pixel's hidden
    // activations.
    for py in 0..size {
        let y = -to_world(py);
        let row: Vec<f64> = (0..size).flat_map(|px| [to_world(px), y]).collect();
        for (px, class) in classify(&row).into_iter().enumerate() {
            canvas.set(px as i64, py as i64, pale(CLASSES[class % 3], 0.7));
        }
    }
    for (p, &label) in points.chunks(2).zip(labels) {
        let (x, y) = (to_pixel(p[0]), size as f64 - to_pixel(p[1]));
        canvas.disc(x, y, 4.5, BLACK);
        canvas.disc(x, y, 3.5, CLASSES[label % 3]);
    }
    canvas.text(10, 10, title, 2, BLACK);
    canvas.save(path)
}
