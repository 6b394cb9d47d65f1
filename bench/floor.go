package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// floorResult is what this machine's loopback does with no agentbridge code in the way.
type floorResult struct {
	HTTPRTT      dist    // one keep-alive POST of 200 B and its empty 200 answer
	HTTPPerSec   float64 // sequential requests per second
	WSEcho       dist    // a 200 B frame to a server and back
	WSFramesSec  float64 // one-way 200 B frames per second, server writing, client reading
	FrameBytes   int
	HTTPRequests int
}

// measureFloor runs the floor on its own 127.0.0.1 listener before any scenario.
func measureFloor(ctx context.Context, cfg config) (floorResult, error) {
	res := floorResult{FrameBytes: 200, HTTPRequests: cfg.FloorSamples}
	srv, url, err := serveFloor()
	if err != nil {
		return res, err
	}
	defer srv.Close()
	if res.HTTPRTT, res.HTTPPerSec, err = floorHTTP(ctx, url+"/rtt", cfg.FloorSamples); err != nil {
		return res, err
	}
	if res.WSEcho, err = floorWSEcho(ctx, "ws"+url[len("http"):]+"/echo", cfg.FloorSamples); err != nil {
		return res, err
	}
	res.WSFramesSec, err = floorWSStream(ctx, "ws"+url[len("http"):]+"/stream", cfg.FloorFrames)
	return res, err
}

func serveFloor() (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/rtt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/echo", serveEcho)
	mux.HandleFunc("/stream", serveStream)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

func serveEcho(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	for {
		typ, msg, err := c.Read(r.Context())
		if err != nil || c.Write(r.Context(), typ, msg) != nil {
			return
		}
	}
}

// serveStream writes the number of frames the client asks for, back to back.
func serveStream(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	_, msg, err := c.Read(r.Context())
	if err != nil {
		return
	}
	var n int
	_, _ = fmt.Sscan(string(msg), &n)
	frame := bytes.Repeat([]byte("x"), 200)
	for range n {
		if c.Write(r.Context(), websocket.MessageText, frame) != nil {
			return
		}
	}
}

func floorHTTP(ctx context.Context, url string, n int) (dist, float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	body := bytes.Repeat([]byte("x"), 200)
	var lat recorder
	start := time.Now()
	for range n {
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		resp, err := client.Do(req)
		if err != nil {
			return dist{}, 0, fmt.Errorf("floor HTTP: %w", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat.record(time.Since(t0))
	}
	return lat.dist(), float64(n) / time.Since(start).Seconds(), nil
}

func floorWSEcho(ctx context.Context, url string, n int) (dist, error) {
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return dist{}, fmt.Errorf("floor WebSocket: %w", err)
	}
	defer c.CloseNow()
	frame := bytes.Repeat([]byte("x"), 200)
	var lat recorder
	for range n {
		t0 := time.Now()
		if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
			return dist{}, fmt.Errorf("floor WebSocket: %w", err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			return dist{}, fmt.Errorf("floor WebSocket: %w", err)
		}
		lat.record(time.Since(t0))
	}
	return lat.dist(), nil
}

func floorWSStream(ctx context.Context, url string, n int) (float64, error) {
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return 0, fmt.Errorf("floor WebSocket: %w", err)
	}
	defer c.CloseNow()
	start := time.Now()
	if err := c.Write(ctx, websocket.MessageText, []byte(fmt.Sprint(n))); err != nil {
		return 0, fmt.Errorf("floor WebSocket: %w", err)
	}
	for range n {
		if _, _, err := c.Read(ctx); err != nil {
			return 0, fmt.Errorf("floor WebSocket: %w", err)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
