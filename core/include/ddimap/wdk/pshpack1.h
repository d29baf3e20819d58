/* pshpack1.h under ddimap: structures that follow are packed to 1 byte(s); poppack.h ends it.
 * No include guard, as in the WDK. Clang warns about the
 * packing it leaves changed (-Wpragma-pack), as with the WDK's own; ddimap::wdk
 * turns that warning off. */
#pragma pack(push, 1)
