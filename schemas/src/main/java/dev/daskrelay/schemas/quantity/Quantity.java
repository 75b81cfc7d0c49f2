package dev.daskrelay.schemas.quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity ({@code 500m}, {@code 8G}, {@code 1.5Gi}, {@code 1e3}) with the arithmetic the
 * renderer needs: exact value, comparison, CPU ceiling and the canonical string form Kubernetes itself prints
 * ({@code resource.Quantity.String()}).
 *
 * <p>Canonical form, as in apimachinery: the suffix family of the input is kept (binary {@code Ki..Ei}, decimal
 * SI {@code n..E}, or decimal exponent {@code eN}); the mantissa is the smallest integer form, i.e. the largest
 * suffix that leaves an integer. A binary quantity that is not a whole number of bytes, or below 1024, is printed
 * in decimal SI ({@code 0.5} → {@code 500m}). Values are rounded up to the nano unit, the smallest Kubernetes
 * keeps. fabric8's own {@code Quantity} keeps amount and format as typed, so it cannot be used for this.
 */
public final class Quantity implements Comparable<Quantity> {

    /** The grammar apimachinery documents: sign, digits with an optional fraction, then a suffix. */
    private static final Pattern GRAMMAR = Pattern.compile(
            "^([+-]?)([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");

    /** How the quantity was written, which decides how it is printed. */
    public enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final String[] DECIMAL_SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final BigDecimal NANO = new BigDecimal("1e-9");
    private static final BigDecimal KI = BigDecimal.valueOf(1024);

    private final BigDecimal value;
    private final Format format;
    private final String original;

    private Quantity(BigDecimal value, Format format, String original) {
        this.value = value;
        this.format = format;
        this.original = original;
    }

    /**
     * Parses a quantity.
     *
     * @throws QuantityFormatException when the text is not a Kubernetes quantity; the message says why in the
     *     words users see from {@code kubectl}
     */
    public static Quantity parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new QuantityFormatException("quantity must not be empty");
        }
        Matcher m = GRAMMAR.matcher(text);
        if (!m.matches()) {
            throw new QuantityFormatException("quantities must match the regular expression "
                    + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (was \"" + text + "\")");
        }
        String digits = m.group(2);
        if (digits.endsWith(".")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        BigDecimal number = new BigDecimal(digits.startsWith(".") ? "0" + digits : digits);
        if ("-".equals(m.group(1))) {
            number = number.negate();
        }
        String suffix = m.group(3) == null ? "" : m.group(3);
        Format format;
        BigDecimal multiplier;
        int binaryIndex = indexOf(BINARY_SUFFIXES, suffix);
        if (!suffix.isEmpty() && binaryIndex > 0) {
            format = Format.BINARY_SI;
            multiplier = KI.pow(binaryIndex);
        } else if (suffix.startsWith("e") || suffix.startsWith("E")) {
            format = Format.DECIMAL_EXPONENT;
            multiplier = BigDecimal.ONE.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        } else {
            format = Format.DECIMAL_SI;
            int idx = indexOf(DECIMAL_SUFFIXES, suffix);
            multiplier = BigDecimal.ONE.scaleByPowerOfTen((idx - 3) * 3);
        }
        BigDecimal exact = number.multiply(multiplier);
        // Kubernetes keeps at most nano precision and rounds up (away from zero for positive values).
        BigDecimal rounded = exact.divide(NANO).setScale(0, RoundingMode.CEILING).multiply(NANO);
        return new Quantity(rounded.stripTrailingZeros(), format, text);
    }

    /** True when {@link #parse} would accept the text. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (QuantityFormatException e) {
            return false;
        }
    }

    /** A quantity of whole units (cores, bytes) in decimal SI form. */
    public static Quantity of(long units) {
        return new Quantity(BigDecimal.valueOf(units), Format.DECIMAL_SI, Long.toString(units));
    }

    /** The exact value in base units (cores for CPU, bytes for memory). */
    public BigDecimal value() {
        return value;
    }

    public Format format() {
        return format;
    }

    /** The text as it was given. */
    public String original() {
        return original;
    }

    /** The value rounded up to a whole number, as apimachinery's {@code Value()}: {@code 2500m} → 3. */
    public long ceilValue() {
        return value.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    public boolean isNegative() {
        return value.signum() < 0;
    }

    /** The form Kubernetes prints: {@code 1024Mi} → {@code 1Gi}, {@code 1.5Gi} → {@code 1536Mi}, {@code 0.5} → {@code 500m}. */
    public String canonical() {
        if (value.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI) {
            String binary = canonicalBinary();
            if (binary != null) {
                return binary;
            }
        }
        if (format == Format.DECIMAL_EXPONENT) {
            return canonicalExponent();
        }
        return canonicalDecimal();
    }

    private String canonicalBinary() {
        BigDecimal abs = value.abs();
        if (abs.compareTo(KI) < 0 || abs.stripTrailingZeros().scale() > 0) {
            return null; // not representable with a binary suffix: Kubernetes falls back to decimal SI
        }
        BigInteger bytes = value.toBigIntegerExact();
        int idx = 0;
        BigInteger k = BigInteger.valueOf(1024);
        while (idx < BINARY_SUFFIXES.length - 1 && bytes.mod(k).signum() == 0 && bytes.abs().compareTo(k) >= 0) {
            bytes = bytes.divide(k);
            idx++;
        }
        return bytes + BINARY_SUFFIXES[idx];
    }

    private String canonicalDecimal() {
        // Largest power of 1000 (from nano up to exa) that leaves an integer mantissa.
        for (int idx = DECIMAL_SUFFIXES.length - 1; idx >= 0; idx--) {
            BigDecimal mantissa = value.scaleByPowerOfTen(-(idx - 3) * 3).stripTrailingZeros();
            if (mantissa.scale() <= 0) {
                return mantissa.toPlainString() + DECIMAL_SUFFIXES[idx];
            }
        }
        throw new IllegalStateException("unreachable: value has at most nano precision: " + value);
    }

    private String canonicalExponent() {
        BigDecimal stripped = value.stripTrailingZeros();
        // exponent as a multiple of 3, mantissa integral
        int exponent = -stripped.scale();
        int exp3 = Math.floorDiv(exponent, 3) * 3;
        BigDecimal mantissa = stripped.scaleByPowerOfTen(-exp3);
        if (mantissa.stripTrailingZeros().scale() > 0) {
            return canonicalDecimal();
        }
        // Prefer the largest exponent with an integral mantissa.
        while (mantissa.remainder(BigDecimal.valueOf(1000)).signum() == 0 && mantissa.signum() != 0) {
            mantissa = mantissa.divide(BigDecimal.valueOf(1000));
            exp3 += 3;
        }
        String m = mantissa.stripTrailingZeros().toPlainString();
        return exp3 == 0 ? m : m + "e" + exp3;
    }

    /** A quantity with the same value printed in this quantity's family, used when clamping to a platform cap. */
    public Quantity min(Quantity other) {
        return compareTo(other) <= 0 ? this : other;
    }

    @Override
    public int compareTo(Quantity o) {
        return value.compareTo(o.value);
    }

    /** Equal when the values are equal, whatever the notation ({@code 1Gi} equals {@code 1024Mi}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(value.stripTrailingZeros());
    }

    /** The canonical form. */
    @Override
    public String toString() {
        return canonical();
    }

    private static int indexOf(String[] a, String s) {
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }
}
