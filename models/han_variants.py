"""Han character variants: Japanese shinjitai and traditional forms -> simplified Chinese.

A small curated table for the characters of issuer names and regulation titles, with one home
for the two layers that fold with it: ``corpus.versions`` (version identity compares titles
and issuers folded) and ``index.han_fold`` (its generated search table takes these pairs where
OpenCC's differ).  Only a comparison key: never shown to a user.
"""

from __future__ import annotations

VARIANT_PAIRS = (
    "務务 関关 關关 総总 總总 業业 報报 発发 發发 員员 資资 開开 製制 錬炼 "
    "煉炼 規规 則则 暫暂 弁办 辦办 華华 産产 產产 輸输 貿贸 経经 經经 済济 "
    "濟济 國国 條条 細细 號号 稅税 門门 鉄铁 鐵铁 鋼钢 鉱矿 礦矿 電电 気气 "
    "氣气 術术 軍军 両两 兩两 項项 録录 錄录 單单 単单 類类 證证 証证 許许 "
    "審审 査查 體体 認认 會会 議议 決决 見见 訂订 試试 實实 実实 廢废 廃废 "
    "進进 庁厅 廳厅 財财 衛卫 衞卫 環环 護护 協协 調调 統统 計计 價价 価价 "
    "監监 識识 権权 權权 義义 責责 処处 處处 罰罚 違违 範范 標标 準准 銷销 "
    "購购 買买 賣卖 売卖 貨货 幣币 銀银 軟软 網网 絡络 數数 據据 拠据 際际 "
    "對对 対对 與与 應应 応应 於于 從从 従从 來来 後后 時时 間间 問问 題题 "
    "頒颁 佈布 達达 導导 鎵镓 鍺锗 銻锑 鎢钨 鋰锂 鎳镍 鈷钴 鋁铝 銅铜 鉛铅 "
    "鋅锌 錫锡 鉬钼 釩钒 鈦钛 鎂镁 銦铟 鉍铋 鈮铌 鉭钽 區区 県县 縣县 級级 "
    "聯联 連连 黨党 辺边 邊边 徵征 徴征 収收 讓让 譲让 転转 轉转 換换 擴扩 "
    "拡扩 強强 彊强 説说 說说 讀读 読读 聲声 這这 個个 箇个 們们 為为 爲为 "
    "様样 樣样 寫写 當当 縮缩 種种 効效 劑剂 剤剂 藥药 薬药 醫医 歐欧 亞亚 "
    "亜亚 灣湾 圍围 囲围 內内 営营 營营 塩盐 鹽盐 鑑鉴 鑒鉴"
)


def variant_pairs() -> dict[str, str]:
    """The table as (variant character -> simplified character)."""
    return {pair[0]: pair[1] for pair in VARIANT_PAIRS.split() if pair[0] != pair[1]}


FOLD_TABLE = str.maketrans(variant_pairs())
