/* poppack.h under ddimap: ends the packing a pshpackN.h began. No include
 * guard, as in the WDK; see pshpack1.h about Clang's -Wpragma-pack. */
#pragma pack(pop)
