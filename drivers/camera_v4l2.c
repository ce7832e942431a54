/*
 * camera_v4l2.c — a USB camera through libv4l2.
 *
 * We ask for RGB24 at the configured size; libv4l2 converts from whatever the camera sends
 * (YUYV, MJPEG, ...) and may round the size to one the camera has. Frames come by mmap
 * streaming, or by read() on a device without streaming. grab() drains the queue so that it
 * returns the newest frame, copies it into our own buffer (so the driver's buffers go straight
 * back to the queue) and requeues. A device that disappears (ENODEV) breaks the camera for
 * good: later grabs say so rather than wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern/camera.h"
#include "lectern/log.h"

#define DEFAULT_DEVICE "/dev/video0"
#define N_BUFFERS 4
#define MAX_SIDE 4096

struct mapping {
	void *start;
	size_t length;
};

struct v4l2_camera {
	struct camera base;
	int fd;
	char device[96];         /* kept short so that messages about it fit */
	bool streaming;          /* mmap streaming (else read()) */
	bool stream_on;
	bool broken;             /* sticky: the device failed or went away */
	struct mapping buf[N_BUFFERS];
	unsigned n_buf;
	size_t frame_bytes;      /* stride * height */
	int stride;
	int fps;                 /* as the driver agreed; 0 = its own */
	uint8_t *rgb;            /* the frame handed out, ours until the next grab */
	uint8_t *scratch;        /* read(): one frame as read */
};

static int xioctl(int fd, unsigned long request, void *arg)
{
	int rc;
	do
		rc = v4l2_ioctl(fd, request, arg);
	while (rc == -1 && errno == EINTR);
	return rc;
}

static const char *dev_or_default(const char *device)
{
	return device && *device ? device : DEFAULT_DEVICE;
}

static void fourcc_text(uint32_t f, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char ch = (char)((f >> (8 * i)) & 0xff);
		out[i] = ch >= 32 && ch < 127 ? ch : '?';
	}
	out[4] = '\0';
	/* Trailing spaces pad short codes ("GREY", "Y16 "). */
	for (int i = 3; i > 0 && out[i] == ' '; i--)
		out[i] = '\0';
}

/* The capabilities of this node (device_caps when the driver gives them). */
static uint32_t node_caps(const struct v4l2_capability *cap)
{
	return (cap->capabilities & V4L2_CAP_DEVICE_CAPS) ? cap->device_caps : cap->capabilities;
}

bool camera_v4l2_present(const char *device)
{
	device = dev_or_default(device);
	struct stat st;
	if (stat(device, &st) != 0 || !S_ISCHR(st.st_mode))
		return false;
	int fd = open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct v4l2_capability cap;
	memset(&cap, 0, sizeof cap);
	bool ok = ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 &&
		  (node_caps(&cap) & V4L2_CAP_VIDEO_CAPTURE) &&
		  (node_caps(&cap) & (V4L2_CAP_STREAMING | V4L2_CAP_READWRITE));
	close(fd);
	return ok;
}

static lt_err open_node(struct v4l2_camera *v, char *msg, size_t n)
{
	struct stat st;
	if (stat(v->device, &st) != 0) {
		int e = errno;
		snprintf(msg, n, "camera %s not found (%s): plug in the USB camera, or set [camera] "
				 "device (ls /dev/video* lists cameras)", v->device, strerror(e));
		return LT_ERR_NO_DEVICE;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(msg, n, "camera %s is not a device node: set [camera] device to a "
				 "/dev/video* node", v->device);
		return LT_ERR_NO_DEVICE;
	}
	/*
	 * The node is checked with plain open()/ioctl() before libv4l2 wraps it: libv4l2 fails
	 * on a non-V4L2 node with only ENOTTY and chatter on stderr, where we want a sentence.
	 */
	int fd = open(v->device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(msg, n, "camera %s cannot be opened: %s%s", v->device, strerror(e),
			 e == EACCES ? " (the service user must be in the 'video' group)" : "");
		return LT_ERR_NO_DEVICE;
	}
	struct v4l2_capability cap;
	memset(&cap, 0, sizeof cap);
	int rc;
	do
		rc = ioctl(fd, VIDIOC_QUERYCAP, &cap);
	while (rc == -1 && errno == EINTR);
	if (rc != 0) {
		int e = errno;
		close(fd);
		snprintf(msg, n, "%s is not a V4L2 video device (VIDIOC_QUERYCAP: %s): set "
				 "[camera] device to the camera's /dev/video* node", v->device,
			 strerror(e));
		return LT_ERR_NO_DEVICE;
	}
	uint32_t caps = node_caps(&cap);
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) {
		close(fd);
		snprintf(msg, n, "%s (%.32s) is not a video capture device: a USB camera often has "
				 "two nodes, try the other /dev/video*", v->device, (const char *)cap.card);
		return LT_ERR_NO_DEVICE;
	}
	if (caps & V4L2_CAP_STREAMING)
		v->streaming = true;
	else if (!(caps & V4L2_CAP_READWRITE)) {
		close(fd);
		snprintf(msg, n, "%s (%.32s) offers neither streaming nor read(): lectern cannot "
				 "capture from it", v->device, (const char *)cap.card);
		return LT_ERR_NO_DEVICE;
	}
	/* From here on every call goes through libv4l2, which converts to RGB24. */
	v->fd = v4l2_fd_open(fd, 0);
	if (v->fd < 0) {
		int e = errno;
		close(fd);
		snprintf(msg, n, "camera %s cannot be opened through libv4l2: %s", v->device,
			 strerror(e));
		return LT_ERR_NO_DEVICE;
	}
	log_debug("camera: %s is '%.32s' (driver %.16s), caps 0x%08x", v->device,
		  (const char *)cap.card, (const char *)cap.driver, (unsigned)caps);
	return LT_OK;
}

lt_err camera_v4l2_check_format(const char *device, const struct camera_v4l2_format *got,
				int *stride, size_t *frame_bytes, char *msg, size_t n)
{
	if (got->pixelformat != V4L2_PIX_FMT_RGB24) {
		char fourcc[5];
		fourcc_text(got->pixelformat, fourcc);
		snprintf(msg, n, "camera %s sends %s, which libv4l2 cannot convert to RGB24",
			 dev_or_default(device), fourcc);
		return LT_ERR_FORMAT;
	}
	if (got->width == 0 || got->height == 0 || got->width > MAX_SIDE ||
	    got->height > MAX_SIDE) {
		snprintf(msg, n, "camera %s offers %ux%u pictures, which lectern cannot use (1 to "
				 "%d pixels a side)", dev_or_default(device), (unsigned)got->width,
			 (unsigned)got->height, MAX_SIDE);
		return LT_ERR_FORMAT;
	}
	uint32_t min_stride = got->width * 3;
	/* Rows twice as long as the pixels need are not padding but a wrong answer. */
	if (got->bytesperline > 2 * min_stride) {
		snprintf(msg, n, "camera %s gives rows of %u bytes for %u pixels: not RGB24 as "
				 "asked", dev_or_default(device), (unsigned)got->bytesperline,
			 (unsigned)got->width);
		return LT_ERR_FORMAT;
	}
	uint32_t row = got->bytesperline >= min_stride ? got->bytesperline : min_stride;
	*stride = (int)row;
	*frame_bytes = (size_t)row * got->height;
	return LT_OK;
}

/* Ask for `fps` frames a second where the driver lets the rate be chosen; QR decoding needs
 * no more than 5 to 10, and fewer frames cost less USB bandwidth and CPU. */
static void set_rate(struct v4l2_camera *v, int fps)
{
	struct v4l2_streamparm parm;
	memset(&parm, 0, sizeof parm);
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(v->fd, VIDIOC_G_PARM, &parm) != 0 ||
	    !(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME))
		return;
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = (uint32_t)fps;
	if (xioctl(v->fd, VIDIOC_S_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator)
		v->fps = (int)(parm.parm.capture.timeperframe.denominator /
			       parm.parm.capture.timeperframe.numerator);
	else
		log_debug("camera: %s keeps its own frame rate (VIDIOC_S_PARM: %s)", v->device,
			  strerror(errno));
}

/* RGB24 at about the asked size; the camera's own format, for the description. */
static lt_err set_format(struct v4l2_camera *v, int width, int height, char native[5], char *msg,
			 size_t n)
{
	struct v4l2_format fmt;
	memset(&fmt, 0, sizeof fmt);
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = (uint32_t)width;
	fmt.fmt.pix.height = (uint32_t)height;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
	fmt.fmt.pix.field = V4L2_FIELD_ANY;
	if (xioctl(v->fd, VIDIOC_S_FMT, &fmt) != 0) {
		int e = errno;
		snprintf(msg, n, "camera %s refused %dx%d RGB24: %s", v->device, width, height,
			 strerror(e));
		return e == ENODEV ? LT_ERR_NO_DEVICE : LT_ERR_FORMAT;
	}
	struct camera_v4l2_format got = {
		.pixelformat = fmt.fmt.pix.pixelformat, .width = fmt.fmt.pix.width,
		.height = fmt.fmt.pix.height, .bytesperline = fmt.fmt.pix.bytesperline,
	};
	lt_err err = camera_v4l2_check_format(v->device, &got, &v->stride, &v->frame_bytes, msg, n);
	if (err != LT_OK)
		return err;
	v->base.width = (int)got.width;
	v->base.height = (int)got.height;

	/* The driver's own format is what libv4l2 converts from; the raw ioctl bypasses it. */
	struct v4l2_format raw;
	memset(&raw, 0, sizeof raw);
	raw.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (ioctl(v->fd, VIDIOC_G_FMT, &raw) == 0)
		fourcc_text(raw.fmt.pix.pixelformat, native);
	else
		snprintf(native, 5, "?");
	return LT_OK;
}

static lt_err start_streaming(struct v4l2_camera *v, char *msg, size_t n)
{
	struct v4l2_requestbuffers req;
	memset(&req, 0, sizeof req);
	req.count = N_BUFFERS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_MMAP;
	if (xioctl(v->fd, VIDIOC_REQBUFS, &req) != 0 || req.count < 2) {
		int e = req.count < 2 ? ENOMEM : errno;
		snprintf(msg, n, "camera %s cannot stream (VIDIOC_REQBUFS: %s)", v->device,
			 strerror(e));
		return LT_ERR_DEVICE;
	}
	v->n_buf = req.count > N_BUFFERS ? N_BUFFERS : req.count;
	for (unsigned i = 0; i < v->n_buf; i++) {
		struct v4l2_buffer b;
		memset(&b, 0, sizeof b);
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (xioctl(v->fd, VIDIOC_QUERYBUF, &b) != 0) {
			snprintf(msg, n, "camera %s: VIDIOC_QUERYBUF: %s", v->device,
				 strerror(errno));
			return LT_ERR_DEVICE;
		}
		void *p = v4l2_mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
				    b.m.offset);
		if (p == MAP_FAILED) {
			snprintf(msg, n, "camera %s: cannot map its buffers: %s", v->device,
				 strerror(errno));
			return LT_ERR_DEVICE;
		}
		v->buf[i].start = p;
		v->buf[i].length = b.length;
		if (xioctl(v->fd, VIDIOC_QBUF, &b) != 0) {
			snprintf(msg, n, "camera %s: VIDIOC_QBUF: %s", v->device, strerror(errno));
			return LT_ERR_DEVICE;
		}
	}
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(v->fd, VIDIOC_STREAMON, &type) != 0) {
		snprintf(msg, n, "camera %s cannot start streaming: %s", v->device,
			 strerror(errno));
		return LT_ERR_DEVICE;
	}
	v->stream_on = true;
	return LT_OK;
}

static void v4l2_cam_close(struct camera *c)
{
	struct v4l2_camera *v = (struct v4l2_camera *)c;
	if (v->stream_on) {
		enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (xioctl(v->fd, VIDIOC_STREAMOFF, &type) != 0 && !v->broken)
			log_warn("camera: %s: VIDIOC_STREAMOFF: %s", v->device, strerror(errno));
	}
	for (unsigned i = 0; i < v->n_buf; i++)
		if (v->buf[i].start)
			v4l2_munmap(v->buf[i].start, v->buf[i].length);
	if (v->fd >= 0)
		v4l2_close(v->fd);
	free(v->rgb);
	free(v->scratch);
	free(v);
}

static lt_err v4l2_cam_open(const struct camera_params *p, struct camera **out, char *msg,
			    size_t n)
{
	struct v4l2_camera *v = calloc(1, sizeof *v);
	if (!v)
		return LT_ERR_NOMEM;
	v->fd = -1;
	const char *device = dev_or_default(p->device);
	if (strlen(device) >= sizeof v->device) {
		snprintf(msg, n, "camera device path is too long (%zu characters): set [camera] "
				 "device to a /dev/video* node", strlen(device));
		free(v);
		return LT_ERR_NO_DEVICE;
	}
	memcpy(v->device, device, strlen(device) + 1);
	int width = p->width > 0 ? p->width : 640, height = p->height > 0 ? p->height : 480;
	char native[5] = "?";
	lt_err err = open_node(v, msg, n);
	if (err == LT_OK)
		err = set_format(v, width, height, native, msg, n);
	if (err == LT_OK)
		set_rate(v, p->fps > 0 && p->fps <= 60 ? p->fps : 10);
	if (err == LT_OK && v->streaming) {
		err = start_streaming(v, msg, n);
		if (err != LT_OK) {
			/* Some devices claim streaming and cannot; read() may still work. */
			struct v4l2_capability cap;
			memset(&cap, 0, sizeof cap);
			if (xioctl(v->fd, VIDIOC_QUERYCAP, &cap) == 0 &&
			    (node_caps(&cap) & V4L2_CAP_READWRITE)) {
				log_warn("camera: %s; falling back to read()", msg);
				for (unsigned i = 0; i < v->n_buf; i++)
					if (v->buf[i].start)
						v4l2_munmap(v->buf[i].start, v->buf[i].length);
				memset(v->buf, 0, sizeof v->buf);
				v->n_buf = 0;
				struct v4l2_requestbuffers none;
				memset(&none, 0, sizeof none);
				none.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
				none.memory = V4L2_MEMORY_MMAP;
				xioctl(v->fd, VIDIOC_REQBUFS, &none); /* free them; may be refused */
				v->streaming = false;
				err = LT_OK;
				msg[0] = '\0';
			}
		}
	}
	if (err == LT_OK) {
		v->rgb = malloc(v->frame_bytes);
		if (!v->streaming)
			v->scratch = malloc(v->frame_bytes);
		if (!v->rgb || (!v->streaming && !v->scratch))
			err = LT_ERR_NOMEM;
	}
	if (err != LT_OK) {
		v4l2_cam_close(&v->base);
		return err;
	}
	char rate[16] = "";
	if (v->fps > 0)
		snprintf(rate, sizeof rate, " %d fps", v->fps);
	snprintf(v->base.description, sizeof v->base.description,
		 "USB camera %s %dx%d%s (%s via libv4l2%s)", v->device, v->base.width,
		 v->base.height, rate, native, v->streaming ? "" : ", read()");
	log_info("camera: %s", v->base.description);
	*out = &v->base;
	return LT_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the fd is readable. 1 = ready, 0 = timed out, -1 = failed (errno). */
static int wait_readable(int fd, int64_t deadline)
{
	for (;;) {
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		struct timeval tv, *tvp = NULL;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left < 0)
				left = 0;
			tv.tv_sec = (time_t)(left / 1000);
			tv.tv_usec = (suseconds_t)(left % 1000 * 1000);
			tvp = &tv;
		}
		int rc = select(fd + 1, &fds, NULL, NULL, tvp);
		if (rc >= 0)
			return rc > 0;
		if (errno != EINTR)
			return -1;
	}
}

static lt_err fail(struct v4l2_camera *v, const char *what, int e)
{
	v->broken = true;
	snprintf(v->base.error, sizeof v->base.error, "camera %s %s: %s", v->device,
		 e == ENODEV || e == ENXIO ? "was disconnected" : "failed", what);
	if (e != ENODEV && e != ENXIO) {
		size_t len = strlen(v->base.error);
		snprintf(v->base.error + len, sizeof v->base.error - len, " (%s)", strerror(e));
	}
	log_error("camera: %s", v->base.error);
	return LT_ERR_DEVICE;
}

/* Dequeue every ready buffer, keep the newest copied; 1 = got one, 0 = none ready, -1 = failed. */
static int drain_queue(struct v4l2_camera *v, int *err_out)
{
	int got = 0;
	for (;;) {
		struct v4l2_buffer b;
		memset(&b, 0, sizeof b);
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(v->fd, VIDIOC_DQBUF, &b) != 0) {
			if (errno == EAGAIN)
				return got;
			*err_out = errno;
			return -1;
		}
		bool whole = b.index < v->n_buf && !(b.flags & V4L2_BUF_FLAG_ERROR) &&
			     (b.bytesused == 0 || b.bytesused >= v->frame_bytes) &&
			     v->buf[b.index].length >= v->frame_bytes;
		if (whole) {
			memcpy(v->rgb, v->buf[b.index].start, v->frame_bytes);
			got = 1;
		} else {
			log_debug("camera: %s: dropped a short or damaged frame (%u bytes)",
				  v->device, b.bytesused);
		}
		if (xioctl(v->fd, VIDIOC_QBUF, &b) != 0) {
			*err_out = errno;
			return -1;
		}
	}
}

static lt_err v4l2_cam_grab(struct camera *c, struct camera_frame *f, int timeout_ms)
{
	struct v4l2_camera *v = (struct v4l2_camera *)c;
	if (v->broken) {
		if (!c->error[0])
			snprintf(c->error, sizeof c->error, "camera %s failed earlier", v->device);
		return LT_ERR_DEVICE;
	}
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		int e = 0;
		if (v->streaming) {
			int got = drain_queue(v, &e);
			if (got < 0)
				return fail(v, "while capturing", e);
			if (got)
				break;
		} else {
			ssize_t r = v4l2_read(v->fd, v->scratch, v->frame_bytes);
			if (r == (ssize_t)v->frame_bytes) {
				memcpy(v->rgb, v->scratch, v->frame_bytes);
				break;
			}
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				return fail(v, "while reading a frame", errno);
			if (r >= 0)
				log_debug("camera: %s: short frame (%zd of %zu bytes)", v->device, r,
					  v->frame_bytes);
		}
		int ready = wait_readable(v->fd, deadline);
		if (ready < 0)
			return fail(v, "while waiting for a frame", errno);
		if (ready == 0) {
			snprintf(c->error, sizeof c->error, "camera %s gave no frame within %d ms",
				 v->device, timeout_ms);
			return LT_ERR_NOT_FOUND;
		}
	}
	c->error[0] = '\0';
	c->frames++;
	f->width = c->width;
	f->height = c->height;
	f->stride = v->stride;
	f->rgb = v->rgb;
	return LT_OK;
}

const struct camera_ops camera_v4l2_ops = {
	.name = "v4l2",
	.open = v4l2_cam_open,
	.grab = v4l2_cam_grab,
	.close = v4l2_cam_close,
};
