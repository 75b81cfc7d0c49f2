package dev.daskrelay.schemas.thirdparty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Dask Kubernetes Operator's released CRDs vendored in the repository under {@link #FOLDER} (see the README
 * there: copied byte for byte from the dask-kubernetes 2025.4.3 wheel). Tests read them only through
 * {@link #crd(String)}, which refuses a file whose SHA-256 is not the pinned one. Shared with the translator's and
 * the simulator's tests through this module's test-jar.
 *
 * <p>The folder is found from the module directory the test runs in (Surefire's {@code basedir}, else the working
 * directory) by going up to the checkout's root, the first directory holding {@code mvnw}. Nothing outside the
 * checkout is ever looked at; a missing file fails loudly.
 */
public final class VendoredDaskCrds {

    public static final String RELEASE = "2025.4.3";
    public static final String FOLDER = "third_party/dask-kubernetes-operator-" + RELEASE;
    public static final String SUMS_FILE = "SHA256SUMS";

    /** Every vendored file (relative to {@link #FOLDER}) and its SHA-256, as published in the release wheel. */
    public static final Map<String, String> PINNED = pinned();

    private VendoredDaskCrds() {
    }

    private static Map<String, String> pinned() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("LICENSE", "1b7d4748be7a523714059cf9fa46f96363b796c3057537f170f8a92ec727df2f");
        m.put("crds/daskautoscaler.yaml", "6fc12217a5524db35aaa45204677fcea74f0b22b9b3b94522505be47fc51aa1f");
        m.put("crds/daskcluster.yaml", "2da8d66739b4c98c8aadb2d1653b6ae6171d35f4e6c17db14d5ab0873943b9c6");
        m.put("crds/daskjob.yaml", "f81511cbbdd0d8421301b9b4499dfe51eee66e5e514a878d188801d36d7a668e");
        m.put("crds/daskworkergroup.yaml", "842ed584b27c0f6dd847e7061451223ca4849eda718aed1e9e2b45162bf73eda");
        return Map.copyOf(m);
    }

    /** The vendored folder of this checkout. */
    public static Path folder() {
        Path start = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
        Path root = start;
        while (root != null && !Files.isRegularFile(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("not inside a daskrelay checkout (no mvnw in " + start + " or above)");
        }
        Path folder = root.resolve(FOLDER);
        if (!Files.isRegularFile(folder.resolve(SUMS_FILE))) {
            throw new IllegalStateException("the vendored Dask operator CRDs are missing: " + folder.resolve(SUMS_FILE)
                    + " does not exist");
        }
        return folder;
    }

    /**
     * One vendored CRD, e.g. {@code crd("daskjob.yaml")}, after checking its SHA-256 against {@link #PINNED}.
     *
     * @throws IllegalStateException if the file is missing or its content is not the released one
     */
    public static Path crd(String fileName) {
        String relative = "crds/" + fileName;
        if (!PINNED.containsKey(relative)) {
            throw new IllegalArgumentException("not a vendored CRD: " + fileName + " (known: " + PINNED.keySet() + ")");
        }
        Path folder = folder();
        List<String> problems = verify(folder, Map.of(relative, PINNED.get(relative)));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
        return folder.resolve(relative);
    }

    /**
     * Differences between the files in {@code folder} and {@code expected} (relative path → SHA-256): a missing
     * file or a different digest, one line each naming the file; empty when everything matches.
     */
    public static List<String> verify(Path folder, Map<String, String> expected) {
        List<String> problems = new ArrayList<>();
        expected.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Path file = folder.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                problems.add(FOLDER + "/" + e.getKey() + ": missing");
                return;
            }
            String actual = sha256(file);
            if (!actual.equals(e.getValue())) {
                problems.add(FOLDER + "/" + e.getKey() + ": sha256 " + actual + ", expected " + e.getValue()
                        + " (the vendored file is not the released one)");
            }
        });
        return problems;
    }

    /** The entries of a {@code sha256sum}-format file: {@code <64 hex><two spaces or " *"><relative path>} per line. */
    public static Map<String, String> readSums(Path sumsFile) {
        Map<String, String> sums = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(sumsFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sumsFile, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (!line.matches("[0-9a-f]{64} [ *]\\S.*")) {
                throw new IllegalStateException(sumsFile + " line " + (i + 1) + ": not '<sha256>  <file>': " + line);
            }
            if (sums.put(line.substring(66), line.substring(0, 64)) != null) {
                throw new IllegalStateException(sumsFile + " line " + (i + 1) + ": " + line.substring(66) + " listed twice");
            }
        }
        return sums;
    }

    /** Lower-case hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
