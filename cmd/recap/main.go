// Command recap turns long YouTube videos and podcasts into chaptered
// summaries. See README.md and ../shared/DESIGN.md for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx := signalContext()
	m := NewMain()
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// signalContext is done at the first SIGINT or SIGTERM, which asks for a
// clean stop; the second ends the process at once, as the signal does by
// default (the store keeps everything a run needs to continue).
func signalContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		again := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		syscall.Kill(os.Getpid(), again.(syscall.Signal))
	}()
	return ctx
}
