/* err.c — sentences for the project's error codes. */
#include "lectern/err.h"

static const struct {
	const char *name;
	const char *text;
} errs[LT_ERR__COUNT] = {
	[LT_OK] = {"ok", "Success"},
	[LT_ERR_NOMEM] = {"nomem", "Out of memory: restart the device"},
	[LT_ERR_INVALID] = {"invalid", "Invalid value"},
	[LT_ERR_IO] = {"io", "A file could not be read or written: check the storage"},
	[LT_ERR_CONFIG] = {"config", "The configuration is wrong: fix the file and restart"},
	[LT_ERR_NO_DEVICE] = {"no_device",
			      "Microphone not found: check the USB cable, then try again"},
	[LT_ERR_FORMAT] = {"format", "The microphone offers no audio format lectern can use"},
	[LT_ERR_DEVICE] = {"device", "The microphone stopped working: check the USB cable"},
	[LT_ERR_DISK_LOW] = {"disk_low",
			     "Storage is almost full: recording stopped; free space or wait for "
			     "uploads"},
	[LT_ERR_DISK_FULL] = {"disk_full",
			      "Storage is full: recording stopped and kept up to that point"},
	[LT_ERR_STORE] = {"store", "The device database failed: check the storage"},
	[LT_ERR_ENCODER] = {"encoder", "The audio encoder failed"},
	[LT_ERR_STATE] = {"state", "Not possible in the current state"},
	[LT_ERR_NOT_FOUND] = {"not_found", "Not found"},
	[LT_ERR_CORRUPT] = {"corrupt", "The file is damaged"},
	[LT_ERR_NETWORK] = {"network",
			    "The server cannot be reached: check the network cable and the server "
			    "address"},
	[LT_ERR_AUTH] = {"auth", "The server refused the device's credentials: check the user "
				 "name and password in the settings"},
	[LT_ERR_HTTP] = {"http", "The server answered with an error: try again later or ask IT"},
	[LT_ERR_PARSE] = {"parse", "The server's answer could not be understood"},
};

const char *lt_strerror(lt_err err)
{
	if ((unsigned)err >= LT_ERR__COUNT)
		return "Unknown error";
	return errs[err].text;
}

const char *lt_errname(lt_err err)
{
	if ((unsigned)err >= LT_ERR__COUNT)
		return "unknown";
	return errs[err].name;
}
