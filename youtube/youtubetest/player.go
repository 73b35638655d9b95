package youtubetest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// embeddedClient is the innertube client name kkdai falls back to for
// age-restricted videos.
const embeddedClient = "WEB_EMBEDDED_PLAYER"

// playerResponse builds the /youtubei/v1/player answer for video id as the
// given innertube client sees it. v is nil for an unknown id.
func playerResponse(v *Video, id, clientName string) map[string]any {
	resp := map[string]any{
		"responseContext": map[string]any{
			"visitorData": visitorData,
			"serviceTrackingParams": []any{map[string]any{
				"service": "GFEEDBACK",
				"params":  []any{map[string]any{"key": "logged_in", "value": "0"}},
			}},
		},
		"trackingParams": "CAAQu2kiEwjfake",
	}
	if v == nil {
		resp["playabilityStatus"] = errorStatus(StatusError, ReasonUnavailable, nil)
		return resp
	}

	status, reason := v.Status, v.Reason
	if v.Private {
		status, reason = StatusLoginRequired, ReasonPrivate
	}
	if status == "" {
		status = StatusOK
	}
	if status != StatusOK && v.EmbedOK && clientName == embeddedClient {
		status = StatusOK
	}
	if status != StatusOK {
		resp["playabilityStatus"] = errorStatus(status, reason, v.SubReasons)
		// An age gate still shows the video's details, as YouTube does;
		// private, blocked and broken videos show nothing.
		if status == StatusLoginRequired && reason == ReasonAgeRestricted {
			resp["videoDetails"] = videoDetails(v)
		}
		return resp
	}

	resp["playabilityStatus"] = map[string]any{
		"status":          StatusOK,
		"playableInEmbed": true,
		"contextParams":   "Q0FFU0FnZ0I=",
	}
	resp["streamingData"] = streamingData(v)
	resp["videoDetails"] = videoDetails(v)
	if len(v.Tracks) > 0 {
		resp["captions"] = captions(v)
	}
	// YouTube's mobile clients (kkdai asks as IOS) answer without a
	// microformat; the web clients and the watch page carry it.
	if v.PublishDate != "" && !mobileClient(clientName) {
		resp["microformat"] = microformat(v)
	}
	return resp
}

func mobileClient(name string) bool { return name == "IOS" || name == "ANDROID" }

// errorStatus is a refusing playabilityStatus with its error screen.
func errorStatus(status, reason string, subReasons []string) map[string]any {
	screen := map[string]any{
		"reason": runs(reason),
		"icon":   map[string]any{"iconType": "ERROR_OUTLINE"},
	}
	if len(subReasons) > 0 {
		screen["subreason"] = runs(subReasons...)
	}
	ps := map[string]any{
		"status":        status,
		"reason":        reason,
		"errorScreen":   map[string]any{"playerErrorMessageRenderer": screen},
		"contextParams": "Q0FBU0FnZ0E=",
	}
	if reason == ReasonAgeRestricted {
		ps["desktopLegacyAgeGateReason"] = 1
		ps["reasonTitle"] = "You must sign in to view this video"
	}
	return ps
}

func runs(texts ...string) map[string]any {
	rs := make([]any, len(texts))
	for i, t := range texts {
		rs[i] = map[string]any{"text": t}
	}
	return map[string]any{"runs": rs}
}

func videoDetails(v *Video) map[string]any {
	return map[string]any{
		"videoId":           v.ID,
		"title":             v.Title,
		"lengthSeconds":     strconv.FormatInt(int64(v.Duration.Seconds()), 10),
		"keywords":          []string{"recap", "test"},
		"channelId":         channelID(v),
		"isOwnerViewing":    false,
		"shortDescription":  v.Description,
		"isCrawlable":       true,
		"thumbnail":         map[string]any{"thumbnails": thumbnails(v.ID)},
		"allowRatings":      true,
		"viewCount":         "1856109",
		"author":            v.Channel,
		"isPrivate":         v.Private,
		"isUnpluggedCorpus": false,
		"isLiveContent":     false,
	}
}

func channelID(v *Video) string { return "UCfake" + v.ID }

// thumbnails are YouTube's usual ladder, deliberately not sorted by size
// so clients have to pick the largest themselves.
func thumbnails(id string) []any {
	base := "https://i.ytimg.com/vi/" + id + "/"
	return []any{
		map[string]any{"url": base + "default.jpg", "width": 120, "height": 90},
		map[string]any{"url": base + "maxresdefault.jpg", "width": 1280, "height": 720},
		map[string]any{"url": base + "mqdefault.jpg", "width": 320, "height": 180},
		map[string]any{"url": base + "hqdefault.jpg", "width": 480, "height": 360},
		map[string]any{"url": base + "sddefault.jpg", "width": 640, "height": 480},
	}
}

// MaxThumbnail is the URL of the largest thumbnail the fake lists for id.
func MaxThumbnail(id string) string { return "https://i.ytimg.com/vi/" + id + "/maxresdefault.jpg" }

func streamingData(v *Video) map[string]any {
	sd := map[string]any{"expiresInSeconds": "21540"}
	if v.Formats {
		ms := strconv.FormatInt(v.Duration.Milliseconds(), 10)
		sd["formats"] = []any{map[string]any{
			"itag":             18,
			"url":              "https://rr4---sn-fake.googlevideo.com/videoplayback?id=" + v.ID + "&itag=18&source=youtube",
			"mimeType":         `video/mp4; codecs="avc1.42001E, mp4a.40.2"`,
			"bitrate":          219300,
			"width":            640,
			"height":           360,
			"quality":          "medium",
			"qualityLabel":     "360p",
			"approxDurationMs": ms,
			"audioQuality":     "AUDIO_QUALITY_LOW",
			"audioSampleRate":  "44100",
			"audioChannels":    2,
		}}
		sd["adaptiveFormats"] = []any{}
	}
	if len(v.Audio) > 0 {
		sd["adaptiveFormats"] = audioFormats(v)
	}
	return sd
}

func microformat(v *Video) map[string]any {
	date := v.PublishDate
	if len(date) == len("2006-01-02") {
		date += "T00:00:00-07:00"
	}
	return map[string]any{"playerMicroformatRenderer": map[string]any{
		"thumbnail":          map[string]any{"thumbnails": thumbnails(v.ID)[1:2]},
		"title":              map[string]any{"simpleText": v.Title},
		"description":        map[string]any{"simpleText": v.Description},
		"lengthSeconds":      strconv.FormatInt(int64(v.Duration.Seconds()), 10),
		"ownerProfileUrl":    "http://www.youtube.com/@fake" + strings.ToLower(v.ID),
		"externalChannelId":  channelID(v),
		"isFamilySafe":       true,
		"availableCountries": []string{"DE", "NL", "US"},
		"isUnlisted":         false,
		"hasYpcMetadata":     false,
		"viewCount":          "1856109",
		"category":           "Education",
		"publishDate":        date,
		"ownerChannelName":   v.Channel,
		"uploadDate":         date,
	}}
}

func captions(v *Video) map[string]any {
	tracks := make([]any, len(v.Tracks))
	indices := make([]int, len(v.Tracks))
	for i, t := range v.Tracks {
		indices[i] = i
		tr := map[string]any{
			"baseUrl":        trackURL(v.ID, t),
			"name":           runs(trackName(t)),
			"vssId":          vssID(t),
			"languageCode":   t.Lang,
			"isTranslatable": t.Translatable,
			"trackName":      "",
		}
		if t.ASR {
			tr["kind"] = "asr"
		}
		tracks[i] = tr
	}
	var langs []any
	for _, l := range []string{"ar", "de", "en", "es", "fr", "ja", "nl", "pt-BR", "zh-Hant"} {
		langs = append(langs, map[string]any{"languageCode": l, "languageName": runs(l)})
	}
	return map[string]any{"playerCaptionsTracklistRenderer": map[string]any{
		"captionTracks": tracks,
		"audioTracks": []any{map[string]any{
			"captionTrackIndices": indices,
			"hasDefaultTrack":     true,
		}},
		"translationLanguages":   langs,
		"defaultAudioTrackIndex": 0,
	}}
}

// trackURL is a caption track's baseUrl in YouTube's own form: the real
// host, a signature, and srv3 as the default format a client must replace.
func trackURL(id string, t Track) string {
	q := "v=" + url.QueryEscape(id) + "&ei=xp1JaMfake&caps=asr&opi=112496729"
	if t.Empty {
		q += "&exp=xpe"
	}
	q += "&xoaf=5&hl=en&ip=0.0.0.0&ipbits=0&expire=1749680182" +
		"&sparams=ip,ipbits,expire,v,ei,caps,opi,xoaf" +
		"&signature=1F9610ACAAC990A6B62DB23D030E97121C9E8F97.7F4A2E6D1C6E7ADFFEF8588DA0091AEFE24B64F7&key=yt8"
	if t.ASR {
		q += "&kind=asr"
	}
	q += "&lang=" + url.QueryEscape(t.Lang) + "&fmt=srv3"
	return "https://www.youtube.com/api/timedtext?" + q
}

func trackName(t Track) string {
	if t.Name != "" {
		return t.Name
	}
	if t.ASR {
		return fmt.Sprintf("%s (auto-generated)", t.Lang)
	}
	return t.Lang
}

func vssID(t Track) string {
	if t.ASR {
		return "a." + t.Lang
	}
	return "." + t.Lang
}
