package dev.daskrelay.chaos.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The proxy's TLS: its own CA and a serving certificate for 127.0.0.1, made once per run directory with openssl (as
 * the test bed makes its own), and a client context that trusts a given CA (the API server's).
 */
public final class Tls {

    private static final char[] PASSWORD = "chaos-proxy".toCharArray();

    private Tls() {
    }

    /** The CA certificate (PEM) and the server identity of a proxy, in {@code dir}. */
    public record Identity(Path caPem, SSLContext server) {
    }

    /** Makes (or reuses) {@code dir/ca.crt}, {@code dir/proxy.p12} and returns the server context. */
    public static Identity proxyIdentity(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.crt");
        Path p12 = dir.resolve("proxy.p12");
        if (!Files.exists(p12)) {
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=daskrelay-chaos-proxy-ca",
                    "-keyout", "ca.key", "-out", "ca.crt");
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=daskrelay-chaos-proxy",
                    "-keyout", "proxy.key", "-out", "proxy.csr");
            Files.writeString(dir.resolve("proxy.ext"),
                    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
            openssl(dir, "x509", "-req", "-in", "proxy.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "30", "-extfile", "proxy.ext", "-out", "proxy.crt");
            openssl(dir, "pkcs12", "-export", "-inkey", "proxy.key", "-in", "proxy.crt", "-certfile", "ca.crt",
                    "-passout", "pass:" + new String(PASSWORD), "-out", "proxy.p12");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new Identity(ca, ctx);
    }

    /** A client context that trusts only the CA certificates in {@code pem}. */
    public static SSLContext trusting(byte[] pem) throws GeneralSecurityException, IOException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
        ts.load(null, null);
        List<X509Certificate> certs = new ArrayList<>();
        for (var c : cf.generateCertificates(new ByteArrayInputStream(pem))) {
            certs.add((X509Certificate) c);
        }
        for (int i = 0; i < certs.size(); i++) {
            ts.setCertificateEntry("ca-" + i, certs.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed; see " + dir.resolve("openssl.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
