// Command go-peer is the original event worker design, kept as the benchmark peer of event-tool:
// the official Go client with default receive settings, a fixed pool of WORKERS goroutines fed by
// a buffered channel, JSON decode, one slog JSON line per event, ack.
//
// Environment: PUBSUB_EMULATOR_HOST, PUBSUB_PROJECT_ID, PUBSUB_SUBSCRIPTION, WORKERS (default
// 1000), SLEEP_MS (simulated handler time, default 0), ORDERED (1: handle each message inside
// Receive's callback, which the Go client calls one message at a time per ordering key on an
// ordered subscription), EXPECT (report after this many acks). Once
// EXPECT events were acked it prints one JSON line on stdout (events, seconds from the first
// receipt to the last ack) and keeps running until SIGTERM, so that the bench reads its CPU and
// peak memory from /proc as it does for every consumer.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"cloud.google.com/go/pubsub"
)

type paymentMethodCreated struct {
	EventID           string `json:"eventID"`
	UserID            string `json:"userID"`
	PaymentMethodID   string `json:"paymentMethodID"`
	PaymentMethodType string `json:"paymentMethodType"`
	CreatedAt         string `json:"createdAt"`
}

func envInt(name string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return fallback
}

func main() {
	workers := envInt("WORKERS", 1000)
	sleep := time.Duration(envInt("SLEEP_MS", 0)) * time.Millisecond
	expect := int64(envInt("EXPECT", 0))
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	client, err := pubsub.NewClient(ctx, os.Getenv("PUBSUB_PROJECT_ID"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-peer:", err)
		os.Exit(1)
	}
	defer client.Close()
	sub := client.Subscription(os.Getenv("PUBSUB_SUBSCRIPTION"))
	ordered := os.Getenv("ORDERED") == "1"

	jobs := make(chan *pubsub.Message, workers)
	var acked atomic.Int64
	var first, last atomic.Int64
	var wg sync.WaitGroup
	handle := func(m *pubsub.Message) {
		var event paymentMethodCreated
		if err := json.Unmarshal(m.Data, &event); err != nil {
			m.Nack()
			return
		}
		if sleep > 0 {
			time.Sleep(sleep)
		}
		m.Ack()
		logger.Info("event handled", "eventID", event.EventID, "messageId", m.ID)
		last.Store(time.Now().UnixNano())
		if n := acked.Add(1); expect > 0 && n == expect {
			report(n, first.Load(), last.Load())
		}
	}
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				handle(m)
			}
		}()
	}
	if ordered {
		sub.ReceiveSettings.MaxOutstandingMessages = workers
	}
	err = sub.Receive(ctx, func(_ context.Context, m *pubsub.Message) {
		first.CompareAndSwap(0, time.Now().UnixNano())
		if ordered {
			handle(m)
			return
		}
		jobs <- m
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-peer:", err)
	}
}

// report prints the figures the bench reads once EXPECT events were acked.
func report(events, first, last int64) {
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{
		"events":  events,
		"seconds": float64(last-first) / 1e9,
	})
}
