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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal asks for a clean stop; the second ends the process
	// at once (the store keeps everything a run needs to continue).
	context.AfterFunc(ctx, stop)
	m := NewMain()
	os.Exit(m.Run(ctx, os.Args[1:]))
}
