/*
 * previews.h — metadata that carries a picture of the image (internal).
 *
 * Cameras and editors store small copies of the picture in metadata: the
 * EXIF thumbnail (IFD1), Photoshop's thumbnail resources in APP13, XMP's
 * embedded thumbnail (xmpGImg:image) and Google's portrait-mode original
 * and depth map (GImage:Data, GDepth:Data, mostly in extended XMP, which
 * is always dropped), FlashPix streams in APP2, and the MPF index of
 * preview images. A redacted file must not keep them: they show
 * the regions as they were. These functions only read, never outside the
 * buffer; anything they cannot parse counts as a preview (dropping some
 * metadata is better than leaking the original).
 */
#ifndef SHROUD_IMAGE_PREVIEWS_H
#define SHROUD_IMAGE_PREVIEWS_H

#include <stddef.h>
#include <stdint.h>

/* 1 if a TIFF/EXIF structure (starting "II*\0" or "MM\0*") links a second
 * IFD (the thumbnail's) after IFD0, or cannot be parsed; 0 otherwise. */
int exif_has_thumbnail(const uint8_t *tiff, size_t len);

/* 1 if the JPEG APPn segment (marker, data without marker and length)
 * carries a preview picture as described above; 0 otherwise. */
int jpeg_segment_is_preview(uint8_t marker, const uint8_t *data, size_t len);

/* 1 if the PNG ancillary chunk carries one: an eXIf with a thumbnail; a
 * text chunk (tEXt, zTXt, iTXt; inflated when compressed, up to 16 MiB)
 * with an XMP thumbnail, or holding an ImageMagick raw profile ("Raw profile
 * type exif / APP1 / xmp / 8bim", hex) with a thumbnail; a malformed text
 * chunk. */
int png_chunk_is_preview(const char type[4], const uint8_t *data, size_t len);

#endif
