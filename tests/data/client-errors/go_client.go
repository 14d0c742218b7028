// Go TLS client used by record.py. Not a test by itself.
//
//	go_client -host HOST -port PORT -cafile CAFILE [-cert C -key K] [-timeout 2s]
//
// net/http GET https://HOST:PORT/ with a Transport that dials 127.0.0.1 (URL,
// SNI and checked name stay HOST), trusting only CAFILE. On failure prints the
// error and exits 1.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	host := flag.String("host", "ok.test", "")
	port := flag.String("port", "", "")
	cafile := flag.String("cafile", "", "")
	cert := flag.String("cert", "", "")
	key := flag.String("key", "", "")
	timeout := flag.Duration("timeout", 10*time.Second, "TLS handshake timeout (net/http default 10s)")
	flag.Parse()

	pem, err := os.ReadFile(*cafile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: pool}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	dialer := &net.Dialer{}
	transport := &http.Transport{
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: *timeout,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, p, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", p))
		},
	}
	client := &http.Client{Transport: transport}
	resp, err := client.Get("https://" + net.JoinHostPort(*host, *port) + "/")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
