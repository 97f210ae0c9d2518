// Go's crypto/tls as the other peer of puretls in test/interop/go.test.ts,
// on loopback only.
//
//	interop client ADDR SERVERNAME CAFILE CURVES PATH [CERT KEY]
//	    GET PATH over TLS 1.3; prints one JSON line: suite, version, body or error.
//	interop resume ADDR SERVERNAME CAFILE
//	    Two connections with one tls.NewLRUClientSessionCache, GET / on each
//	    (reading to EOF, so the server's NewSessionTickets are processed);
//	    prints one JSON line: an array of {didResume, body, error}.
//	interop server CERT KEY [CLIENTCAFILE]
//	    HTTPS on 127.0.0.1:0 (TLS 1.3 only, session tickets on: Go's default),
//	    prints "listening on ADDR"; each response says the cipher suite and how
//	    many client certificates came, and on a second line whether the
//	    connection was resumed (ConnectionState().DidResume).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

func pool(file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	if err != nil {
		panic(err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		panic("no certificate in " + file)
	}
	return p
}

var curveIDs = map[string]tls.CurveID{"x25519": tls.X25519, "secp256r1": tls.CurveP256, "secp384r1": tls.CurveP384}

func client(args []string) {
	cfg := &tls.Config{ServerName: args[1], RootCAs: pool(args[2]), MinVersion: tls.VersionTLS13}
	for _, c := range strings.Split(args[3], ",") {
		cfg.CurvePreferences = append(cfg.CurvePreferences, curveIDs[c])
	}
	if len(args) > 6 {
		cert, err := tls.LoadX509KeyPair(args[5], args[6])
		if err != nil {
			panic(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	out := map[string]any{}
	defer func() { b, _ := json.Marshal(out); fmt.Println(string(b)) }()
	conn, err := tls.Dial("tcp", args[0], cfg)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	defer conn.Close()
	st := conn.ConnectionState()
	out["suite"] = tls.CipherSuiteName(st.CipherSuite)
	out["version"] = st.Version
	if _, err := conn.Write([]byte("GET " + args[4] + " HTTP/1.0\r\n\r\n")); err != nil {
		out["error"] = err.Error()
		return
	}
	body, err := io.ReadAll(conn)
	out["body"] = string(body)
	if err != nil {
		out["error"] = err.Error()
	}
}

// resume connects twice to ADDR with one client session cache: the second
// connection offers the ticket the first one received (RFC 8446 §2.2).
func resume(args []string) {
	cfg := &tls.Config{ServerName: args[1], RootCAs: pool(args[2]), MinVersion: tls.VersionTLS13,
		ClientSessionCache: tls.NewLRUClientSessionCache(8)}
	var out []map[string]any
	defer func() { b, _ := json.Marshal(out); fmt.Println(string(b)) }()
	for i := 0; i < 2; i++ {
		r := map[string]any{}
		out = append(out, r)
		conn, err := tls.Dial("tcp", args[0], cfg)
		if err != nil {
			r["error"] = err.Error()
			return
		}
		r["didResume"] = conn.ConnectionState().DidResume
		if _, err := conn.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
			r["error"] = err.Error()
			conn.Close()
			return
		}
		body, err := io.ReadAll(conn)
		r["body"] = string(body)
		conn.Close()
		if err != nil {
			r["error"] = err.Error()
			return
		}
	}
}

func server(args []string) {
	cert, err := tls.LoadX509KeyPair(args[0], args[1])
	if err != nil {
		panic(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	if len(args) > 2 {
		cfg.ClientCAs = pool(args[2])
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "go crypto/tls: %s %s client certificates=%d\nresumed=%v\n",
			tls.CipherSuiteName(r.TLS.CipherSuite), r.Proto, len(r.TLS.PeerCertificates), r.TLS.DidResume)
	})
	srv := &http.Server{Handler: h, TLSConfig: cfg, ErrorLog: nil}
	panic(srv.Serve(tls.NewListener(ln, cfg)))
}

func main() {
	switch os.Args[1] {
	case "client":
		client(os.Args[2:])
	case "resume":
		resume(os.Args[2:])
	case "server":
		server(os.Args[2:])
	default:
		panic("usage: interop client|resume|server ...")
	}
}
