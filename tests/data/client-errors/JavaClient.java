// Java TLS client used by record.py and ../clients/record.py. Not a test by itself.
//   java JavaClient HOST PORT TRUSTSTORE.p12 [KEYSTORE.p12|-] [TIMEOUT_MS]
// Plain socket to 127.0.0.1:PORT, layered SSLSocket for HOST (SNI HOST,
// endpoint identification "HTTPS"), trusting only the PKCS12 truststore
// (password "changeit"). On failure prints the exception and its causes.
//   java -Djavax.net.ssl.trustStore=T.p12 -Djavax.net.ssl.trustStorePassword=changeit JavaClient --url URL
// HttpsURLConnection GET of URL with the JDK's defaults (default SSLContext,
// trust store from the system properties), as an application would; 5 s
// connect and read timeouts.
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class JavaClient {
    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("--url")) {
            fetch(args[1]);
            return;
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        char[] pass = "changeit".toCharArray();
        int timeout = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(args[2])) { trust.load(in, pass); }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManager[] kms = null;
            if (args.length > 3 && !args[3].equals("-")) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = new FileInputStream(args[3])) { keys.load(in, pass); }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, pass);
                kms = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, tmf.getTrustManagers(), null);

            Socket raw = new Socket();
            raw.connect(new InetSocketAddress("127.0.0.1", port), timeout);
            raw.setSoTimeout(timeout);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(host)));
            s.setSSLParameters(p);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) { }
            s.close();
        } catch (Exception e) {
            fail(e);
        }
    }

    static void fetch(String url) {
        try {
            HttpsURLConnection c = (HttpsURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(5000);
            try (InputStream in = c.getInputStream()) {
                in.readAllBytes();
            }
        } catch (Exception e) {
            fail(e);
        }
    }

    static void fail(Exception e) {
        System.out.println(e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            System.out.println("Caused by: " + c);
        }
        System.exit(1);
    }
}
