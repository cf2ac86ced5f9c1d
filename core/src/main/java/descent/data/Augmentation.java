package descent.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Seeded random distortions of images with channels first ({@code [h, w]} or {@code [c, h, w]}):
 * the parts that are switched on are drawn independently per example and applied in one
 * resampling pass (bilinear, zero outside the image), so a translated, rotated and sheared digit is
 * interpolated once, not three times.
 *
 * <ul>
 *   <li>{@code shift} — translation by up to this many pixels in x and y (uniform, sub-pixel);</li>
 *   <li>{@code rotation} — rotation by up to this many degrees either way;</li>
 *   <li>{@code shear} — horizontal shear by up to this many degrees either way;</li>
 *   <li>{@code scale} — zoom by a factor in [1 − s, 1 + s];</li>
 *   <li>{@code flip} — mirror left–right with probability ½ (not for digits);</li>
 *   <li>{@code crop} — pad by this many zero pixels and crop back at a random whole-pixel offset;</li>
 *   <li>{@code elastic} — Simard et al. (2003): a displacement field of uniform [−1, 1] noise per
 *       pixel, smoothed by a Gaussian of width σ and scaled by α.</li>
 * </ul>
 * Angles, scale and translation act about the image centre.
 */
public record Augmentation(int[] imageShape, double shift, double rotationDegrees, double shearDegrees, double scale,
                           boolean flip, int crop, double elasticAlpha, double elasticSigma) implements ExampleTransform {

    /** The spec {@code --augment} uses when given no value: small shifts, rotations and zooms. */
    public static final String DEFAULT_SPEC = "shift=2,rotation=10,scale=0.1";

    public Augmentation {
        imageShape = imageShape.clone();
        if (imageShape.length < 2 || imageShape.length > 3) {
            throw new IllegalArgumentException("augmentation needs images of shape [h, w] or [c, h, w], got "
                    + java.util.Arrays.toString(imageShape));
        }
        if (!(shift >= 0 && rotationDegrees >= 0 && shearDegrees >= 0 && scale >= 0 && scale < 1 && crop >= 0
                && elasticAlpha >= 0 && (elasticAlpha == 0 || elasticSigma > 0)) || !Double.isFinite(shift
                + rotationDegrees + shearDegrees + elasticAlpha + elasticSigma)) {
            throw new IllegalArgumentException("augmentation amounts must be finite and non-negative, scale below 1 "
                    + "and elastic sigma positive");
        }
        int side = Math.max(imageShape[imageShape.length - 1], imageShape[imageShape.length - 2]);
        if (crop > side) {
            throw new IllegalArgumentException("crop " + crop + " moves the image by more than its " + side
                    + " pixels: use at most " + side);
        }
        if (elasticAlpha > 0 && elasticSigma > side) {
            // A blur wider than the image smooths the field to almost a constant shift, and its kernel
            // (6σ + 1 taps) would be allocated for nothing.
            throw new IllegalArgumentException("elastic sigma " + elasticSigma + " is wider than the " + side
                    + "-pixel image: use at most " + side + " (Simard et al. use 4 for MNIST)");
        }
    }

    /**
     * From its command-line form, a comma-separated list of {@code name=amount} (and {@code flip}):
     * {@code shift=2,rotation=10,shear=10,scale=0.1,flip,crop=4,elastic=34:4} (elastic is α:σ).
     */
    public static Augmentation parse(String spec, int[] imageShape) {
        double shift = 0, rotation = 0, shear = 0, scale = 0, alpha = 0, sigma = 0;
        boolean flip = false;
        int crop = 0;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            String name = kv[0].toLowerCase(Locale.ROOT);
            try {
                if (name.equals("flip") && kv.length == 1) {
                    flip = true;
                    continue;
                }
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + part + "' needs a value, as in shift=2");
                }
                switch (name) {
                    case "shift" -> shift = Double.parseDouble(kv[1]);
                    case "rotation", "rotate" -> rotation = Double.parseDouble(kv[1]);
                    case "shear" -> shear = Double.parseDouble(kv[1]);
                    case "scale", "zoom" -> scale = Double.parseDouble(kv[1]);
                    case "crop" -> crop = Integer.parseInt(kv[1]);
                    case "elastic" -> {
                        String[] as = kv[1].split(":");
                        if (as.length != 2) {
                            throw new IllegalArgumentException("elastic is elastic=ALPHA:SIGMA, got '" + part + "'");
                        }
                        alpha = Double.parseDouble(as[0]);
                        sigma = Double.parseDouble(as[1]);
                    }
                    default -> throw new IllegalArgumentException("unknown augmentation '" + kv[0]
                            + "' (expected shift, rotation, shear, scale, flip, crop or elastic)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("augmentation '" + part + "' needs a number");
            }
        }
        return new Augmentation(imageShape, shift, rotation, shear, scale, flip, crop, alpha, sigma);
    }

    @Override
    public int[] imageShape() {
        return imageShape.clone();
    }

    /** The parts switched on, in command-line form. */
    public String spec() {
        List<String> parts = new ArrayList<>();
        if (shift > 0) parts.add("shift=" + shift);
        if (rotationDegrees > 0) parts.add("rotation=" + rotationDegrees);
        if (shearDegrees > 0) parts.add("shear=" + shearDegrees);
        if (scale > 0) parts.add("scale=" + scale);
        if (flip) parts.add("flip");
        if (crop > 0) parts.add("crop=" + crop);
        if (elasticAlpha > 0) parts.add("elastic=" + elasticAlpha + ":" + elasticSigma);
        return String.join(",", parts);
    }

    @Override
    public void apply(float[] features, int offset, RandomGenerator rng) {
        int channels = imageShape.length == 3 ? imageShape[0] : 1;
        int h = imageShape[imageShape.length - 2];
        int w = imageShape[imageShape.length - 1];
        // Draw every part in a fixed order, so a spec always consumes the generator the same way.
        double tx = shift > 0 ? uniform(rng, shift) : 0;
        double ty = shift > 0 ? uniform(rng, shift) : 0;
        double angle = rotationDegrees > 0 ? Math.toRadians(uniform(rng, rotationDegrees)) : 0;
        double shearAngle = shearDegrees > 0 ? Math.toRadians(uniform(rng, shearDegrees)) : 0;
        double zoom = scale > 0 ? 1 + uniform(rng, scale) : 1;
        boolean mirror = flip && rng.nextBoolean();
        if (crop > 0) {
            tx += rng.nextInt(2 * crop + 1) - crop;
            ty += rng.nextInt(2 * crop + 1) - crop;
        }
        double[] dx = null;
        double[] dy = null;
        if (elasticAlpha > 0) {
            dx = smoothedNoise(rng, h, w);
            dy = smoothedNoise(rng, h, w);
        }
        // Forward map: p' = c + Z·R·S·(p − c) + t; we sample the source at the inverse image of
        // each output pixel: p = c + (Z·R·S)⁻¹(p' − c − t).
        double cos = Math.cos(angle), sin = Math.sin(angle), k = Math.tan(shearAngle);
        // M = zoom · R · S with S = [[1, k], [0, 1]]: M = zoom·[[cos, cos·k − sin], [sin, sin·k + cos]].
        double m00 = zoom * cos, m01 = zoom * (cos * k - sin), m10 = zoom * sin, m11 = zoom * (sin * k + cos);
        double det = m00 * m11 - m01 * m10;
        double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        float[] src = new float[h * w];
        for (int c = 0; c < channels; c++) {
            int base = offset + c * h * w;
            System.arraycopy(features, base, src, 0, h * w);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double ox = x - cx - tx, oy = y - cy - ty;
                    double sx = cx + i00 * ox + i01 * oy;
                    double sy = cy + i10 * ox + i11 * oy;
                    if (mirror) {
                        sx = w - 1 - sx;
                    }
                    if (dx != null) {
                        sx += dx[y * w + x];
                        sy += dy[y * w + x];
                    }
                    features[base + y * w + x] = bilinear(src, h, w, sx, sy);
                }
            }
        }
    }

    private static double uniform(RandomGenerator rng, double max) {
        return (2 * rng.nextDouble() - 1) * max;
    }

    private static float bilinear(float[] img, int h, int w, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (float) ((1 - fy) * ((1 - fx) * pixel(img, h, w, x0, y0) + fx * pixel(img, h, w, x0 + 1, y0))
                + fy * ((1 - fx) * pixel(img, h, w, x0, y0 + 1) + fx * pixel(img, h, w, x0 + 1, y0 + 1)));
    }

    private static double pixel(float[] img, int h, int w, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0 : img[y * w + x];
    }

    /** α · (Gaussian_σ * U(−1, 1)) per pixel, the blur separable and zero outside the image. */
    private double[] smoothedNoise(RandomGenerator rng, int h, int w) {
        double[] field = new double[h * w];
        for (int i = 0; i < field.length; i++) {
            field[i] = 2 * rng.nextDouble() - 1;
        }
        int radius = (int) Math.ceil(3 * elasticSigma); // at most 3·max(h, w): the constructor bounds sigma
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-i * i / (2 * elasticSigma * elasticSigma));
            sum += kernel[i + radius];
        }
        double[] rows = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = Math.max(-radius, -x); i <= Math.min(radius, w - 1 - x); i++) {
                    s += kernel[i + radius] * field[y * w + x + i];
                }
                rows[y * w + x] = s / sum;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = Math.max(-radius, -y); i <= Math.min(radius, h - 1 - y); i++) {
                    s += kernel[i + radius] * rows[(y + i) * w + x];
                }
                field[y * w + x] = elasticAlpha * s / sum;
            }
        }
        return field;
    }
}
